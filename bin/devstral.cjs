#!/usr/bin/env node
// The installed `devstral` command. CommonJS on purpose: loading an ES module entry reads files through libuv's
// thread pool, which fixes the pool's size (4) before any code of ours runs. `devstral serve` wants a pool of one
// thread: llama.cpp's compute threads contend with it on small machines (measured: README "devstral serve",
// `npm run bench:serve`). UV_THREADPOOL_SIZE set by the user wins.
if (process.argv[2] === 'serve' && process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = '1';
import('../dist/cli/main.js');
