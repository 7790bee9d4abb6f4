// Where every dialect's parser delivers its records, in source order.

import type { Access, Marker } from '../model/access.js';

export interface RecordSink {
  access(access: Access): void;
  marker(marker: Marker): void;
  /** False: the sink never reads a SideEvent's text, so a reader that feeds only it may leave texts empty. */
  readonly readsEventText?: boolean;
}
