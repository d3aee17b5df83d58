/** Shared by the terminal sections so they line up with one another. */
export const INDENT = '  ';
