/**
 * The providers behind the catalog's models, and their names for people. Pure: the key form (a
 * client component) and the key schema offer and check them without loading the catalog.
 */
export const PROVIDERS = ['openai', 'anthropic', 'gemini', 'mistral', 'groq', 'deepseek', 'echo'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const PROVIDER_LABELS: Record<ProviderName, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  mistral: 'Mistral',
  groq: 'Groq',
  deepseek: 'DeepSeek',
  echo: 'Conduit echo (offline)',
};
