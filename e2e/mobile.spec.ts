import type { Page } from '@playwright/test';
import { expect, signUp, test } from './fixtures';
import { openCreateLink, takeToken } from './link-helpers';

// Issue #17: on a phone (390 px wide) no page of the dashboard scrolls sideways, the header's
// controls stay on screen, and code blocks in the show-once dialogs scroll inside themselves
// rather than being cut off.

const PHONE = { width: 390, height: 844 };

/**
 * What sticks out past the right edge of the screen without an ancestor that scrolls or clips
 * it: the elements a user would have to scroll the page sideways to see. Described by tag, test
 * id and a bit of text so a failure says where to look.
 */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    // Inside a box that scrolls or clips, sticking out is that box's business (a wide table in
    // its own scroller); the box itself is checked in turn.
    const clipped = (element: Element): boolean => {
      for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
        if (getComputedStyle(node).overflowX !== 'visible') return true;
      }
      return false;
    };
    const describe = (element: Element) => {
      const id = element.getAttribute('data-testid') ?? element.id;
      const box = element.getBoundingClientRect();
      return `${element.tagName.toLowerCase()}${id ? `#${id}` : ''} right=${Math.round(box.right)} "${(element.textContent ?? '').trim().slice(0, 40)}"`;
    };
    const wide = Array.from(document.body.querySelectorAll('*')).filter((element) => element.getBoundingClientRect().right > width + 0.5);
    const unclipped = wide.filter((element) => !clipped(element));
    // Nothing unclipped: a scroller's content still widens the page (e.g. a positioned child).
    return (unclipped.length > 0 ? unclipped : wide).slice(0, 8).map(describe);
  });
}

async function expectNoSidewaysScroll(page: Page, what: string) {
  // Charts lay themselves out once their data has arrived.
  await page.waitForLoadState('networkidle');
  const offenders = await overflowing(page);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(offenders, `${what} is ${scrollWidth} px wide at ${PHONE.width} px`).toEqual([]);
  expect(scrollWidth, what).toBeLessThanOrEqual(PHONE.width);
}

/** Every code block in the dialog fits on screen, and one that is wider than that scrolls inside itself. */
async function expectCodeBlocksScroll(page: Page, dialogName: string) {
  const blocks = page.getByRole('dialog', { name: dialogName }).locator('pre');
  await expect(blocks.first()).toBeVisible();
  for (const block of await blocks.all()) {
    if (!(await block.isVisible())) continue;
    const fit = await block.evaluate((element) => {
      const box = element.getBoundingClientRect();
      return {
        right: box.right,
        scrolls: element.scrollWidth <= element.clientWidth || ['auto', 'scroll'].includes(getComputedStyle(element).overflowX),
      };
    });
    expect(fit.right).toBeLessThanOrEqual(PHONE.width);
    expect(fit.scrolls).toBe(true);
  }
}

test('on a 390 px phone no dashboard page scrolls sideways, the header stays on screen, dialogs show their code', async ({ page, email }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(PHONE);
  await signUp(page, email);

  // The header: account, bell and Log out are all within the screen.
  for (const control of [page.getByTestId('account-email'), page.getByRole('button', { name: 'Log out' }), page.getByRole('link', { name: /notifications/i }).first()]) {
    const box = await control.boundingBox();
    expect(box, 'header control is laid out').not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
  }

  // A key, with its show-once dialog (curl and SDK blocks).
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const create = page.getByRole('dialog', { name: 'Create an API key' });
  await create.getByLabel('Name').fill('Phone key');
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  const shownKey = page.getByRole('dialog', { name: 'API key created' });
  await expect(shownKey).toBeVisible();
  const secret = await shownKey.getByLabel('API key', { exact: true }).inputValue();
  await expectNoSidewaysScroll(page, 'the key-created dialog');
  await shownKey.getByRole('button', { name: 'Done' }).click();
  await shownKey.getByRole('button', { name: 'Yes, close' }).click();
  const keyHref = await page.getByRole('row', { name: /Phone key/ }).getByRole('link').first().getAttribute('href');

  // A link, with its snippets.
  const form = await openCreateLink(page);
  await form.getByLabel('Preset').selectOption('openai');
  await form.getByLabel('Name').fill('Phone link');
  await form.getByLabel('OpenAI API key').fill('sk-phone-0123456789');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Link created' })).toBeVisible();
  await expectCodeBlocksScroll(page, 'Link created');
  await expectNoSidewaysScroll(page, 'the link-created dialog');
  await takeToken(page.getByRole('dialog', { name: 'Link created' }));
  const linkHref = await page.getByRole('row', { name: /Phone link/ }).getByRole('link').first().getAttribute('href');

  // Some traffic, so the usage charts and the request log have something to lay out.
  for (let i = 0; i < 3; i++) {
    const answer = await page.request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${secret}` },
      data: { model: 'conduit/echo', messages: [{ role: 'user', content: `hello from a phone ${i}` }] },
    });
    expect(answer.status()).toBe(200);
  }

  const pages = ['/dashboard', '/keys', keyHref, '/links', linkHref, '/models', '/playground', '/billing', '/usage', '/usage/requests', '/notifications', '/members', '/audit', '/settings'];
  for (const path of pages) {
    expect(path, 'a detail page link').toBeTruthy();
    await page.goto(path!);
    await expect(page.locator('main h1').first()).toBeVisible();
    await expectNoSidewaysScroll(page, path!);
  }
});
