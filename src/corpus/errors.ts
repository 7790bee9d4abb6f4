// The corpus's one error: an argument that names nothing to replay, or a bad --shard (exit 2).

import { UserError } from '../errors.js';

export class CorpusError extends UserError {
  override readonly name = 'CorpusError';
}
