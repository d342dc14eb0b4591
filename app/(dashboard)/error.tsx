'use client';

// Errors of a dashboard page: the same page as app/error.tsx, shown inside the dashboard, its header
// and navigation still there.
export { default } from '../error';
