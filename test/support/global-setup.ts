// Vitest global set-up: with ZHILU_TEST_S3=ceph, one throwaway Ceph S3 engine for the whole
// run, handed to tests as inject('s3'); otherwise inject('s3') is null.

import type {} from 'vitest'; // brings the module into scope for the augmentation below
import type { TestProject } from 'vitest/node';
import { type S3Connection, startCeph } from './ceph.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3Connection | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  if (process.env.ZHILU_TEST_S3 !== 'ceph') {
    project.provide('s3', null);
    return;
  }
  const ceph = await startCeph();
  const { endpoint, accessKeyId, secretAccessKey, region } = ceph;
  project.provide('s3', { endpoint, accessKeyId, secretAccessKey, region });
  return () => ceph.stop();
}
