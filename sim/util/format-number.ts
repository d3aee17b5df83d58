/** Thousands grouped with commas and at most 3 decimals, independent of the machine's locale. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const [whole = '', fraction] = String(Number(value.toFixed(3)) || 0).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
