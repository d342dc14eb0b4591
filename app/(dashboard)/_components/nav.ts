import type { Permission } from '@/lib/orgs/permissions';

/**
 * The dashboard's navigation. It grows with the product: a section is listed here when its
 * page exists, never before. A section that needs a permission is listed only for roles that
 * have it (the page refuses the others anyway).
 */
export interface NavItem {
  href: string;
  label: string;
  permission?: Permission;
}

export const dashboardNav: readonly NavItem[] = [
  { href: '/dashboard', label: 'Overview' },
  { href: '/keys', label: 'API keys' },
  { href: '/links', label: 'Links' },
  { href: '/models', label: 'Models' },
  { href: '/playground', label: 'Playground', permission: 'playground.use' },
  { href: '/billing', label: 'Billing' },
  { href: '/usage', label: 'Usage' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/members', label: 'Members' },
  { href: '/settings', label: 'Settings' },
];
