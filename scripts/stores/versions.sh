# The versions of the store lane's servers, one place (read by build.sh and by the lane,
# which reads the STAMP files build.sh writes).
ALL_STORES="s3s-fs versitygw s3proxy minio garage seaweedfs"
S3S_FS_VERSION=0.14.1
GARAGE_VERSION=2.5.0
VERSITYGW_VERSION=v1.8.0
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
S3PROXY_VERSION=4.1.0
JACKSON_ANNOTATIONS_VERSION=2.22
stamp_of() {
  case "$1" in
    s3s-fs) echo "s3s-fs $S3S_FS_VERSION" ;;
    garage) echo "garage $GARAGE_VERSION" ;;
    versitygw) echo "versitygw $VERSITYGW_VERSION" ;;
    minio) echo "minio $MINIO_VERSION" ;;
    seaweedfs) echo "seaweedfs $SEAWEEDFS_VERSION" ;;
    s3proxy) echo "s3proxy $S3PROXY_VERSION (jackson-annotations $JACKSON_ANNOTATIONS_VERSION)" ;;
  esac
}
