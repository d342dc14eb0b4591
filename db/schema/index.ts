export * from './users';
export * from './keys';
export * from './usage';
export * from './credit';
export * from './links';
export * from './billing';
