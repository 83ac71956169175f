// Fault injection for the fault tests, loaded into the CLI's process with `node --import` (never by
// the product itself). It swaps functions of node:fs and re-exports them to ES modules
// (module.syncBuiltinESMExports), so the built code sees the faults through its ordinary imports.
//   ENCORD_TEST_FAIL_WRITE_AT=N   the Nth write to a file (not stdout/stderr) fails with ENOSPC, and
//                                 every later one too: a disk that has filled up
//   ENCORD_TEST_COUNT_WRITES=1    count those writes and print "encord-test-writes=<n>" at exit
//   ENCORD_TEST_FAIL_READ_AT=B    file reads through streams fail with EIO once B bytes have been read
//   ENCORD_TEST_RSS=1             print "encord-test-maxrss=<KiB>" to stderr at exit (peak memory)
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

function fault(code, syscall, message) {
  const e = new Error(`${code}: ${message}, ${syscall}`);
  e.code = code;
  e.errno = code === "ENOSPC" ? -28 : -5;
  e.syscall = syscall;
  return e;
}

const failWriteAt = Number(process.env.ENCORD_TEST_FAIL_WRITE_AT ?? 0);
const countWrites = process.env.ENCORD_TEST_COUNT_WRITES === "1";
if (failWriteAt > 0 || countWrites) {
  let writes = 0;
  const full = () => ++writes >= failWriteAt && failWriteAt > 0;
  if (countWrites) process.on("exit", () => process.stderr.write(`encord-test-writes=${writes}\n`));
  const isStdio = (fd) => fd === 1 || fd === 2;
  const { writeSync, writeFileSync, copyFileSync, appendFileSync, write, writev } = fs;
  fs.writeSync = function (fd, ...rest) {
    if (!isStdio(fd) && full()) throw fault("ENOSPC", "write", "no space left on device");
    return writeSync.call(this, fd, ...rest);
  };
  fs.writeFileSync = function (file, ...rest) {
    if (!isStdio(file) && full()) throw fault("ENOSPC", "write", "no space left on device");
    return writeFileSync.call(this, file, ...rest);
  };
  fs.appendFileSync = function (file, ...rest) {
    if (!isStdio(file) && full()) throw fault("ENOSPC", "write", "no space left on device");
    return appendFileSync.call(this, file, ...rest);
  };
  fs.copyFileSync = function (...args) {
    if (full()) throw fault("ENOSPC", "copyfile", "no space left on device");
    return copyFileSync.apply(this, args);
  };
  // Write streams (fs.createWriteStream) call fs.write / fs.writev with a callback.
  fs.write = function (fd, ...rest) {
    const cb = rest[rest.length - 1];
    if (!isStdio(fd) && typeof cb === "function" && full()) return process.nextTick(cb, fault("ENOSPC", "write", "no space left on device"));
    return write.call(this, fd, ...rest);
  };
  fs.writev = function (fd, ...rest) {
    const cb = rest[rest.length - 1];
    if (!isStdio(fd) && typeof cb === "function" && full()) return process.nextTick(cb, fault("ENOSPC", "write", "no space left on device"));
    return writev.call(this, fd, ...rest);
  };
}

const failReadAt = Number(process.env.ENCORD_TEST_FAIL_READ_AT ?? 0);
if (failReadAt > 0) {
  let bytes = 0;
  const { read } = fs;
  // Read streams (fs.createReadStream) call fs.read(fd, buffer, offset, length, position, callback).
  fs.read = function (fd, ...rest) {
    const cb = rest[rest.length - 1];
    if (typeof cb !== "function" || fd === 0) return read.call(this, fd, ...rest);
    if (bytes >= failReadAt) return process.nextTick(cb, fault("EIO", "read", "i/o error"));
    rest[rest.length - 1] = (err, n, buf) => {
      if (!err) bytes += n;
      cb(err, n, buf);
    };
    return read.call(this, fd, ...rest);
  };
}

if (failWriteAt > 0 || countWrites || failReadAt > 0) syncBuiltinESMExports();

if (process.env.ENCORD_TEST_RSS === "1") {
  process.on("exit", () => {
    process.stderr.write(`encord-test-maxrss=${process.resourceUsage().maxRSS}\n`);
  });
}
