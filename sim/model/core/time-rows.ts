/**
 * Rows of numbers in shared Float64Array pages: the times and timer ids of the client records
 * and, through an Int32Array view of the same page, their small integers (conn.ts, issue 14:
 * memory at 100k clients). As an object's own fields each of those numbers is
 * a pointer to a heap number of its own (V8 boxes a double field: 8 bytes of the record and 16 of
 * the box), 24 bytes a number; in a row it is 8, and the record keeps two fields, its page and
 * where its row starts.
 *
 * A page is never grown or moved, so a record's page and offset stay valid for its life without a
 * lookup; rows are never given back, as a record is never dropped while its run goes on (retired
 * records are renewed, client-records.ts). A page is freed with the last record that points to it.
 */
export class TimeRows {
  /** The page rows are taken from now; a record keeps the page it got (take, below). */
  page = new Float64Array(0);
  /**
   * The same page's bytes as int32s (one buffer, two views): a row's whole numbers, two to each of
   * its doubles that a record does not use as a time (conn.ts: eight small integers in four). A
   * record keeps this view beside `page`; row `at`'s int32 k is at `2 × at + k`.
   */
  ints = new Int32Array(0);
  private next = 0;

  /** `width` numbers a row, `rowsPerPage` rows a page (1,024 rows of 9 numbers: 72 KB). */
  constructor(
    private readonly width: number,
    private readonly rowsPerPage = 1024,
  ) {}

  /**
   * Where a new row starts in `page`, read right after this call with `ints` (a full page is
   * replaced by a new one first). Its numbers are 0 until written.
   */
  take(): number {
    if (this.next + this.width > this.page.length) {
      this.page = new Float64Array(this.width * this.rowsPerPage);
      this.ints = new Int32Array(this.page.buffer);
      this.next = 0;
    }
    const at = this.next;
    this.next = at + this.width;
    return at;
  }
}
