/**
 * The dashboard's navigation. It grows with the product: a section is listed here when its
 * page exists, never before.
 */
export const dashboardNav = [
  { href: '/dashboard', label: 'Overview' },
  { href: '/keys', label: 'API keys' },
  { href: '/links', label: 'Links' },
  { href: '/models', label: 'Models' },
  { href: '/billing', label: 'Billing' },
  { href: '/usage', label: 'Usage' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/members', label: 'Members' },
  { href: '/settings', label: 'Settings' },
] as const;
