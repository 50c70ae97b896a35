// Opens the configured blob store. The S3 implementation (and the AWS SDK) is loaded only
// when configured, so a local-only installation never pays for it.

import type { BlobStore, StorageConfig } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

export async function openBlobStore(config: StorageConfig): Promise<BlobStore> {
  switch (config.kind) {
    case 'local':
      return LocalBlobStore.open(config.dir);
    case 's3': {
      const { S3BlobStore } = await import('./s3-blob-store.js');
      return new S3BlobStore(config);
    }
  }
}
