import 'server-only';
import type { OutgoingMail } from './transport';

/**
 * The words of every message Conduit sends. Plain text: it renders the same in every client, and
 * a link in it is a link everywhere. Links are built by the caller on the public origin
 * (lib/email/origin.ts), never on whatever Host a request claimed.
 */

const SIGNATURE = '\n\n— Conduit';

export function passwordResetMail(to: string, link: string, minutes: number): OutgoingMail {
  return {
    to,
    subject: 'Reset your Conduit password',
    text:
      `Someone (hopefully you) asked to reset the password of the Conduit account ${to}.\n\n` +
      `Choose a new password here (the link works once, for ${minutes} minutes):\n\n${link}\n\n` +
      'Setting a new password signs out every other session of the account.\n' +
      'If you did not ask for this, ignore this message: your password stays as it is.' +
      SIGNATURE,
  };
}

export function verifyEmailMail(to: string, link: string): OutgoingMail {
  return {
    to,
    subject: 'Verify your email address for Conduit',
    text:
      `Please confirm that ${to} is your address, so Conduit can reach you about your account and you can buy credit:\n\n` +
      `${link}\n\nIf you did not create a Conduit account, ignore this message.` +
      SIGNATURE,
  };
}

export function confirmNewEmailMail(to: string, link: string, current: string): OutgoingMail {
  return {
    to,
    subject: 'Confirm your new email address for Conduit',
    text:
      `The Conduit account ${current} asked to use ${to} as its email address from now on.\n\n` +
      `Confirm the change here (the link works once, for 24 hours):\n\n${link}\n\n` +
      'If you did not ask for this, ignore this message: nothing changes.' +
      SIGNATURE,
  };
}

export function emailChangedMail(to: string, next: string): OutgoingMail {
  return {
    to,
    subject: 'Your Conduit email address was changed',
    text:
      `The email address of your Conduit account was changed from ${to} to ${next}. Messages about the account now go there, ` +
      'and you sign in with it.\n\nIf this was not you, reset your password right away and contact your administrator.' +
      SIGNATURE,
  };
}

export function passwordChangedMail(to: string, how: 'changed' | 'reset'): OutgoingMail {
  return {
    to,
    subject: 'Your Conduit password was changed',
    text:
      `The password of your Conduit account ${to} was ${how === 'reset' ? 'reset through an emailed link' : 'changed in Settings'}; ` +
      'every other session was signed out.\n\nIf this was not you, reset your password right away.' +
      SIGNATURE,
  };
}

export function alertsMail(to: string, messages: readonly string[], link: string | undefined): OutgoingMail {
  // A subject is one line (nodemailer encodes it, but a key's name could hold a line break).
  const subject = (messages.length === 1 ? `Conduit alert: ${messages[0]}` : `Conduit: ${messages.length} alerts`).replace(/[\r\n\t]+/g, ' ');
  return {
    to,
    subject: subject.length > 150 ? `${subject.slice(0, 149)}…` : subject,
    text:
      `${messages.map((message) => `• ${message}`).join('\n')}\n\n` +
      (link ? `See them in the dashboard: ${link}\n\n` : '') +
      'You get these because email alerts are on in your notification settings.' +
      SIGNATURE,
  };
}

export function invitationMail(to: string, input: { organization: string; inviter: string; role: string; link: string; days: number }): OutgoingMail {
  return {
    to,
    subject: `${input.inviter} invited you to ${input.organization} on Conduit`,
    text:
      `${input.inviter} invited ${to} to join the organization “${input.organization}” on Conduit as ${input.role}.\n\n` +
      `Accept here (sign up or log in with this address; the link works once, for ${input.days} days):\n\n${input.link}\n\n` +
      'If you do not know the sender, ignore this message: nothing happens unless the link is used.' +
      SIGNATURE,
  };
}
