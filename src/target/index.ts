// Public surface of the target layer: everything the replay engine and the CLI need to find QEMU,
// launch it with the NIC, configure PCI and talk qtest/QMP. Internal helpers stay unexported.

export * from './errors.js';
export type { Disposable, Event } from './events.js';
export {
  type Transport, type TransportClosed, StreamTransport, MemoryTransport,
  socketTransport, childStdioTransport, createMemoryTransportPair,
} from './transport.js';
export { UnixSocketListener, connectUnixSocket } from './unix-socket.js';
export { LineFramer, encodeLines } from './line-framing.js';
export * from './qtest-protocol.js';
export {
  QtestClient, DEFAULT_REQUEST_TIMEOUT_MS,
  type QtestClientOptions, type RequestOptions, type QtestBatchResult,
} from './qtest-client.js';
export * from './qmp-client.js';
export {
  findQemu, resolveQemuBinary, probeQemu, hasQtestAccel, clearQemuProbeCache, forgetQemuProbe, defaultProbeCache,
  parseQemuVersion, parseDeviceList, compareVersions,
  DEFAULT_QEMU_NAME, QEMU_BINARY_ENV, MIN_QEMU_VERSION,
  type QemuInfo, type QemuVersion, type FindQemuOptions, type ProbeCache,
} from './qemu-binary.js';
export {
  buildQemuArgs, deviceOption, escapeOptionValue, haltFirmwareImage, validateMachineConfig,
  DEFAULT_MACHINE, DEFAULT_MAC,
  type MachineConfig, type SessionFiles, type QtestEndpoint,
} from './qemu-args.js';
export { launchQemu, QemuSession, type LaunchOptions } from './qemu-process.js';
export { waitForLogLine, logSize, LogCursor, type LogMatch, type WaitForLogOptions } from './log-tail.js';
export { liveProcessCount } from './reaper.js';
export * from './planned-command.js';
export * from './pci-config.js';
export * from './pci-setup.js';
export * from './bar-access.js';
export * from './topology.js';
