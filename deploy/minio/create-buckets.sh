#!/bin/sh
# One-shot (compose service minio-buckets, image minio/mc): the portal's two buckets and its
# own key. Safe to run again: every step leaves what is already there as it is.
#
# Neither bucket gets an anonymous policy: public files leave by short-lived signed URLs
# and originals never leave by URL at all (README, "Object storage"). The portal's key may
# list, read, write and delete objects in these two buckets and nothing else, so a leaked
# key cannot touch another bucket or the store's settings.
set -eu

mc alias set store http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

for bucket in "$OBJECT_STORAGE_BUCKET" "$OBJECT_STORAGE_PRIVATE_BUCKET"; do
    mc mb --ignore-existing "store/$bucket"
    mc anonymous set none "store/$bucket"
done

policy=/tmp/qinglang-portal-policy.json
cat > "$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
      "Resource": [
        "arn:aws:s3:::$OBJECT_STORAGE_BUCKET",
        "arn:aws:s3:::$OBJECT_STORAGE_PRIVATE_BUCKET"
      ]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": [
        "arn:aws:s3:::$OBJECT_STORAGE_BUCKET/*",
        "arn:aws:s3:::$OBJECT_STORAGE_PRIVATE_BUCKET/*"
      ]
    }
  ]
}
JSON
mc admin policy create store qinglang-portal "$policy"
mc admin user add store "$OBJECT_STORAGE_ACCESS_KEY" "$OBJECT_STORAGE_SECRET_KEY"
if ! mc admin user info store "$OBJECT_STORAGE_ACCESS_KEY" | grep -q qinglang-portal; then
    mc admin policy attach store qinglang-portal --user "$OBJECT_STORAGE_ACCESS_KEY"
fi
echo "buckets $OBJECT_STORAGE_BUCKET and $OBJECT_STORAGE_PRIVATE_BUCKET ready, no anonymous access"
