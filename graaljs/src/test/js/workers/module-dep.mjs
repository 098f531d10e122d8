export const answer = (value) => `module:${value}`;
