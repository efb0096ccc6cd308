/**
 * The error a filter that cannot run raises when it is compiled: it names the offending field by its
 * path inside the filter value (e.g. `filter.filters[1].comparator.value`).
 */

/** A filter value that is not a valid {@link Filter}: unknown type, bad op, wrong field type, etc. */
export class InvalidFilterError extends Error {
  /** Where in the filter value the problem is, e.g. `filter.filters[0].pageSize`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`invalid filter: ${path}: ${problem}`);
    this.name = "InvalidFilterError";
    this.path = path;
  }
}
