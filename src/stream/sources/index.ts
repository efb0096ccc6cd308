/** The stream engine's sources: in-memory, Nexmark generator, JSONL and CSV files. */
export type { Source, SourceBatch, SourceSplit, SplitPosition, SplitReader } from "./source.js";
export { fromArray, type FromArrayOptions } from "./from-array.js";
export { fromIterable, type FromIterableOptions } from "./from-iterable.js";
export { fromAsyncIterable, type FromAsyncIterableOptions } from "./from-async-iterable.js";
export type { Auction, Bid, NexmarkEvent, NexmarkEventKind, Person } from "./nexmark/nexmark-events.js";
export {
  NEXMARK_DEFAULT_FIRST_EVENT_TIME,
  resolveNexmarkConfig,
  type NexmarkConfig,
  type NexmarkOptions,
  type NexmarkOutOfOrderOptions,
  type NexmarkPaceOptions,
} from "./nexmark/nexmark-config.js";
export {
  AUCTION_PROPORTION,
  BID_PROPORTION,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  PERSON_PROPORTION,
  TOTAL_PROPORTION,
  NexmarkGenerator,
  lastBase0AuctionId,
  lastBase0PersonId,
  nexmarkKindOf,
} from "./nexmark/nexmark-generator.js";
export { nexmark, NexmarkReader, NexmarkSource, type NexmarkSplit } from "./nexmark/nexmark-source.js";
export { BadLineError, type BadLine, type OnBadLine } from "./files/bad-line-error.js";
export { jsonl, type JsonlOptions } from "./files/jsonl-source.js";
export { csv, type CsvOptions, type CsvType, type CsvValue } from "./files/csv-source.js";
export { parseCsvRecord } from "./files/csv-record.js";
export { TextFileReader, TextFileSource, type FilePosition, type FileSourceOptions } from "./files/text-file-source.js";
