// Parses the user's `--device` string (`igb`, `e1000e`, `igb,mac=52:54:00:12:34:56,x-pcie-flr-init=off`)
// into the NIC model, its MAC and other properties. The replay owns `addr` and `netdev`.

import { UserError } from '../errors.js';
import { DEFAULT_MAC } from '../target/qemu-args.js';
import { DEVICE_MODELS, isDeviceModel, type DeviceModel } from '../devices/table.js';

export interface DeviceOption {
  readonly model: DeviceModel;
  readonly mac: string;
  readonly properties: Readonly<Record<string, string>>;
  /** The string as given, for reports. */
  readonly text: string;
}

/** A `--device` the replay cannot use: a usage error (exit 2). */
export class DeviceOptionError extends UserError {
  constructor(message: string, hint: string) {
    super(message, hint);
    this.name = 'DeviceOptionError';
  }
}

const OWNED_BY_REPLAY = new Set(['addr', 'netdev', 'bus', 'id']);

export function parseDeviceOption(text: string, recordedMac?: string): DeviceOption {
  const [model = '', ...rest] = text.split(',');
  if (!isDeviceModel(model)) {
    throw new DeviceOptionError(`unsupported device model ${JSON.stringify(model)}`,
      `use one of ${DEVICE_MODELS.join(', ')}, optionally with properties: --device 'igb,mac=52:54:00:12:34:56'`);
  }
  const properties: Record<string, string> = {};
  let mac = recordedMac ?? DEFAULT_MAC;
  for (const item of rest) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new DeviceOptionError(`device property ${JSON.stringify(item)} is not key=value`, 'write properties as key=value, separated by commas');
    const key = item.slice(0, equals);
    const value = item.slice(equals + 1);
    if (OWNED_BY_REPLAY.has(key)) throw new DeviceOptionError(`device property ${key} is set by the replay itself`, `leave out ${key}=`);
    if (key === 'mac') mac = value;
    else properties[key] = value;
  }
  return { model, mac, properties, text };
}
