export * from './users';
export * from './keys';
export * from './usage';
export * from './credit';
export * from './links';
export * from './billing';
export * from './usage-rollups';
export * from './alerts';
