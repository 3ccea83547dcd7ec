/**
 * The AWS SDK packages, loaded on first use. Loading @aws-sdk/client-dynamodb costs ~90 ms of CPU, a third
 * of a CLI read's cold start, and a read against a local endpoint never needs it: requests go through the
 * lean client. Node serves these packages' CommonJS build to `import` and `require` alike, so loading
 * them here gives the same module instance other files import statically.
 */
import { createRequire } from 'node:module';
import type * as DynamoSdk from '@aws-sdk/client-dynamodb';
import type * as StsSdk from '@aws-sdk/client-sts';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as HttpHandler from '@smithy/node-http-handler';

const require = createRequire(import.meta.url);

let dynamo: typeof DynamoSdk | undefined;
let sts: typeof StsSdk | undefined;
let handler: typeof HttpHandler | undefined;
let s3: typeof S3Sdk | undefined;

export const dynamoSdk = (): typeof DynamoSdk => (dynamo ??= require('@aws-sdk/client-dynamodb') as typeof DynamoSdk);
export const stsSdk = (): typeof StsSdk => (sts ??= require('@aws-sdk/client-sts') as typeof StsSdk);
export const httpHandlerSdk = (): typeof HttpHandler => (handler ??= require('@smithy/node-http-handler') as typeof HttpHandler);
export const s3Sdk = (): typeof S3Sdk => (s3 ??= require('@aws-sdk/client-s3') as typeof S3Sdk);
