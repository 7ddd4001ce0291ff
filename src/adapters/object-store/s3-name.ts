/** How an S3 lake names itself (`npm start`'s banner, the doctor's report): apart from the S3 adapter, which is loaded only on use. */
export const s3LakeName = (bucket: string, prefix: string): string => `s3://${bucket}/${prefix}`;
