import 'server-only';
import { LINK_PRESETS, PRESET_INFO, presetDefaults, type PresetDefaults } from '@/lib/links/presets';
import { TWILIO_PLACEHOLDER_SID } from './link-form-values';

/**
 * The presets as the create form needs them in the browser (lib/links/presets.ts imports the
 * server-only path rules, so the client cannot import it). Twilio's defaults depend on the
 * Account SID: they are built for a placeholder SID, which the form swaps for the one typed.
 */

export interface PresetOption {
  value: string;
  label: string;
  secretLabel: string;
  /** null for Custom: nothing to prefill. */
  defaults: PresetDefaults | null;
}

export function presetOptions(): PresetOption[] {
  return LINK_PRESETS.map((preset) => ({
    value: preset,
    label: PRESET_INFO[preset].label,
    secretLabel: PRESET_INFO[preset].secretLabel,
    defaults: presetDefaults(preset, { accountSid: TWILIO_PLACEHOLDER_SID }),
  }));
}
