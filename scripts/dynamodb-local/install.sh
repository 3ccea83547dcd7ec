#!/usr/bin/env bash
# Installs DynamoDB Local for the dynamodb-local test tier into .tiers/dynamodb-local/ (git-ignored):
# the release pinned in scripts/dynamodb-local/pom.xml, fetched from Maven Central with mvn, plus the
# SQLite native library for this machine taken from the DynamoDBLocal jar itself.
# Needs java (17+) and mvn. Does nothing when that release is already installed for this machine.
# Prints the folder it installed into; scripts/test-server-tier.sh dynamodb-local starts it from there.
set -euo pipefail
cd "$(dirname "$0")/../.."
pom=scripts/dynamodb-local/pom.xml
dest=.tiers/dynamodb-local

fail() { echo "dynamodb-local install: $1" >&2; exit 1; }

version=$(sed -n 's:.*<dynamodb-local.version>\(.*\)</dynamodb-local.version>.*:\1:p' "$pom")
[ -n "$version" ] || fail "no <dynamodb-local.version> in $pom"

# The DynamoDBLocal jar carries libsqlite4java.so for these folders (native/<os>/<arch>/).
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64 | Linux/amd64) native_dir=Linux/x86_64 ;;
  Linux/aarch64 | Linux/arm64) native_dir=Linux/aarch64 ;;
  *) fail "no SQLite native library for $(uname -s) $(uname -m) in DynamoDB Local; supported: Linux x86_64, Linux aarch64" ;;
esac
stamp="$version $native_dir"

if [ -f "$dest/installed" ] && [ "$(cat "$dest/installed")" = "$stamp" ] \
  && [ -f "$dest/lib/DynamoDBLocal-$version.jar" ] && [ -f "$dest/native/libsqlite4java.so" ]; then
  echo "DynamoDB Local $version already installed in $dest"
  exit 0
fi

command -v java >/dev/null 2>&1 || fail "java not found: DynamoDB Local needs a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"
command -v mvn >/dev/null 2>&1 || fail "mvn not found: it fetches DynamoDB Local from Maven Central (Debian: apt-get install maven)"

stage="$dest.partial"
rm -rf "$stage"
mkdir -p "$stage/native"
echo "installing DynamoDB Local $version ($native_dir) into $dest"
if ! mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$PWD/$stage/lib" >"$stage/mvn.log" 2>&1; then
  cat "$stage/mvn.log" >&2
  fail "mvn could not fetch com.amazonaws:DynamoDBLocal:$version from Maven Central (its output is above)"
fi
rm -f "$stage/mvn.log"
jar_file="$stage/lib/DynamoDBLocal-$version.jar"
[ -f "$jar_file" ] || fail "mvn finished but $jar_file is missing"

entry="com/amazonaws/services/dynamodbv2/local/shared/access/sqlite/native/$native_dir/libsqlite4java.so"
extracted=
if command -v unzip >/dev/null 2>&1; then
  unzip -p "$jar_file" "$entry" >"$stage/native/libsqlite4java.so" && extracted=1
elif command -v jar >/dev/null 2>&1; then
  (cd "$stage/native" && jar xf "../lib/DynamoDBLocal-$version.jar" "$entry" && mv "$entry" libsqlite4java.so && rm -rf com) && extracted=1
else
  fail "neither unzip nor jar found to take the SQLite native library out of $jar_file (Debian: apt-get install unzip)"
fi
[ -n "$extracted" ] && [ -s "$stage/native/libsqlite4java.so" ] || fail "could not extract $entry from $jar_file"

echo "$stamp" >"$stage/installed"
rm -rf "$dest"
mv "$stage" "$dest"
echo "DynamoDB Local $version installed in $dest"
