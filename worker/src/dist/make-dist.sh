#!/bin/sh
# Builds the distribution at `package` (worker/pom.xml, after the jar and its class-data archive):
#   <target>/fondation-worker/{bin/fondation-worker, lib/fondation-worker.jar, lib/fondation-worker.jsa, README.md}
#   <target>/fondation-worker-dist.tar.gz, the same directory archived without the class-data archive (valid only at
#   this path: where the tarball is unpacked, train one as docker/Dockerfile does, or go without)
# Usage: make-dist.sh <worker module dir> <target dir> <skip the class-data archive: true|false>
set -eu
module=$1
target=$2
skip_cds=$3
home=$target/fondation-worker

rm -rf "$home"
mkdir -p "$home/bin" "$home/lib"
cp "$module/src/dist/bin/fondation-worker" "$home/bin/fondation-worker"
chmod 755 "$home/bin/fondation-worker"
cp "$target/fondation-worker.jar" "$home/lib/fondation-worker.jar"
cp "$module/../README.md" "$home/README.md"
if [ -f "$module/../LICENSE" ]; then
  cp "$module/../LICENSE" "$home/LICENSE"
fi

if [ "$skip_cds" != true ]; then
  # why a training run of its own: an archive is valid for the jar's path only, so the one beside
  # target/fondation-worker.jar would be ignored here
  training=$target/cds-training-dist
  rm -rf "$training"
  mkdir -p "$training"
  JAVA_OPTS="-XX:ArchiveClassesAtExit=$home/lib/fondation-worker.jsa" \
    QUEUE=embedded EMBEDDED_DB_PATH="$training/queue.db" TEMP_DIR="$training/tmp" HEALTH_PORT=0 \
    HEALTH_HOST=127.0.0.1 WORKER_ID=cds-training MIN_FREE_DISK_MB=0 \
    "$home/bin/fondation-worker" run --dry-run --exit-after-start >"$training.log" 2>&1
fi

tar -czf "$target/fondation-worker-dist.tar.gz" --exclude=fondation-worker/lib/fondation-worker.jsa \
  -C "$target" fondation-worker
