// What the events that define or qualify a guest access mean: each handler reads its event's
// arguments (arguments.ts) and hands an access or a side event to the parser, or reports the line
// as malformed. Event formats from QEMU's hw/net/trace-events and hw/pci/trace-events (8.0 .. 10.1).

import type { AccessKind, AddressSpace, QemuVerdict } from '../../model/access.js';
import { ByteLiteral, type ByteReader } from '../byte-reader.js';
import {
  EventArgs, readConfigWrite, readIoData, readMdic, readOneHex, readPciCfg, readRegisterAccess, readTrivial, routingIdOf,
} from './arguments.js';
import { sriovByVfDevice, vfNumberOf } from '../../devices/table.js';
import { type AccessAssembler, EventRole, type PhyEffect } from './assembler.js';

/** Reads one line's arguments: `r` is at the first byte after the event name's space, `r.end` at the line's end. */
export type Handler = (r: ByteReader) => void;

/** What a handler needs from the parser, about the line being read. */
export interface HandlerHost {
  readonly lineNo: number;
  readonly assembler: AccessAssembler;
  /** A core or wrn_regs line: an MMIO access, or an IO-BAR one when QEMU logs 8 bytes. */
  registerAccess(kind: AccessKind, offset: number, size: number, value: number, verdict: QemuVerdict): void;
  /** `vf`: for a config access, the SR-IOV virtual function it went to (absent: the PF). */
  addAccess(kind: AccessKind, space: AddressSpace, offset: number, size: number, value: number, verdict: QemuVerdict, vf?: number): void;
  /** A side event whose text runs from `pos` to the end of the line. */
  sideEvent(name: string, pos: number, role: EventRole, phy?: PhyEffect): void;
  malformed(reason: string): void;
  /** A pci_cfg line, counted once it is known whether it is the NIC's. */
  countPci(name: string, nic: boolean): void;
}

/** Whose pci_cfg lines are the NIC's. */
export interface NicFunctions {
  /** PCI device models whose pci_cfg lines are the NIC's PF (the first address seen, unless `address`). */
  readonly devices: ReadonlySet<string>;
  /** The PF's `BB:DD.F` when known beforehand (a replay target's own log, read in segments). */
  readonly address?: string;
}

/** The handlers by event name. */
export function deviceEventHandlers(host: HandlerHost, nic: NicFunctions): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  const args = new EventArgs();
  registerHandlers(host, args, handlers);
  ioHandlers(host, args, handlers);
  mdicHandlers(host, args, handlers);
  pciConfigHandlers(host, nic, args, handlers);
  return handlers;
}

/** core_read / core_write and the wrn_regs_* lines QEMU prints instead of them or before them. */
function registerHandlers(host: HandlerHost, args: EventArgs, h: Map<string, Handler>): void {
  const register = (name: string, kind: AccessKind, leadText: string, verdict: QemuVerdict, withValue: boolean): void => {
    const lead = new ByteLiteral(leadText);
    h.set(name, (r) => {
      if (!r.lit(lead)) return host.malformed(`expected "${leadText}0x<offset>, ..."`);
      if (!readRegisterAccess(r, args, withValue)) {
        return host.malformed(`expected "register 0x<offset>, <n> byte(s)${withValue ? ', value: 0x<value>' : ''}"`);
      }
      host.registerAccess(kind, args.offset, args.size, args.value, verdict);
    });
  };
  register('e1000e_core_read', 'read', 'Read from register ', 'ok', true);
  register('e1000e_core_write', 'write', 'Write to register ', 'ok', true);
  register('e1000e_wrn_regs_read_unknown', 'read', 'WARNING: Read from unknown register ', 'unknown', false);
  register('e1000e_wrn_regs_write_unknown', 'write', 'WARNING: Write to unknown register ', 'unknown', true);
  register('e1000e_wrn_regs_write_ro', 'write', 'WARNING: Write to RO register ', 'read-only', true);
  const trivial = (name: string, leadText: string): void => {
    const lead = new ByteLiteral(leadText);
    h.set(name, (r) => {
      const pos = r.pos;
      if (!readTrivial(r, lead, args)) return host.malformed(`expected "${leadText}0x<offset>. It is not fully implemented."`);
      host.sideEvent(name, pos, EventRole.AnnouncesNext);
    });
  };
  trivial('e1000e_wrn_regs_read_trivial', 'WARNING: Reading register at offset: ');
  trivial('e1000e_wrn_regs_write_trivial', 'WARNING: Writing to register at offset: ');
}

/** The IO BAR: IOADDR accesses, unknown IO addresses, and the IODATA events around a core line. */
function ioHandlers(host: HandlerHost, args: EventArgs, h: Map<string, Handler>): void {
  const ioAddress = (name: string, kind: AccessKind, leadText: string, known: boolean): void => {
    const lead = new ByteLiteral(leadText);
    h.set(name, (r) => {
      if (!readOneHex(r, lead, args)) return host.malformed(`expected "${leadText}0x<address>"`);
      // IOADDR is accessed like a register at IO offset 0. QEMU does not print the value of a
      // write to an unknown IO address, and such a read returned 0.
      if (known) host.addAccess(kind, 'io', 0, 4, args.offset, 'ok');
      else host.addAccess(kind, 'io', args.offset, 4, 0, 'unknown');
    });
  };
  ioAddress('e1000e_io_write_addr', 'write', 'IOADDR write ', true);
  ioAddress('e1000e_io_read_addr', 'read', 'IOADDR read ', true);
  ioAddress('e1000e_wrn_io_write_unknown', 'write', 'IO write unknown address ', false);
  ioAddress('e1000e_wrn_io_read_unknown', 'read', 'IO read unknown address ', false);
  const ioData = (name: string, leadText: string, role: EventRole): void => {
    const lead = new ByteLiteral(leadText);
    h.set(name, (r) => {
      const pos = r.pos;
      if (!readIoData(r, lead, args)) return host.malformed(`expected "${leadText}0x<register>, value: 0x<value>"`);
      host.sideEvent(name, pos, role);
    });
  };
  ioData('e1000e_io_write_data', 'IODATA write ', EventRole.AnnouncesNext);
  ioData('e1000e_io_read_data', 'IODATA read ', EventRole.ConfirmsPrevious);
}

/** MDIC events, which reveal the PHY register accesses behind an MDIC write. */
function mdicHandlers(host: HandlerHost, args: EventArgs, h: Map<string, Handler>): void {
  const mdic = (name: string, kind: AccessKind, leadText: string): void => {
    const lead = new ByteLiteral(leadText);
    h.set(name, (r) => {
      const pos = r.pos;
      if (!readMdic(r, lead, args)) return host.malformed(`expected "${leadText}PHY[<n>] = 0x<value>" or "... UNHANDLED"`);
      // The read event prints the whole new MDIC value; the PHY data is its low 16 bits.
      const phy: PhyEffect = {
        kind, register: args.extra * 32 + args.offset, value: args.value & 0xffff,
        verdict: args.unhandled ? 'phy-unhandled' : 'ok',
      };
      host.sideEvent(name, pos, EventRole.Plain, phy);
    });
  };
  for (const family of ['igb_core_mdic', 'e1000e_core_mdic']) {
    mdic(`${family}_read`, 'read', 'MDIC READ: ');
    mdic(`${family}_read_unhandled`, 'read', 'MDIC READ: ');
    mdic(`${family}_write`, 'write', 'MDIC WRITE: ');
    mdic(`${family}_write_unhandled`, 'write', 'MDIC WRITE: ');
  }
}

/**
 * pci_cfg_read / pci_cfg_write of the NIC's PF and of its SR-IOV VFs (QEMU names them by the VF
 * device, `igbvf 01:10.0`: the VF number follows from the address and the PF's, see SriovLayout),
 * and igb_write_config / igbvf_write_config, which repeat the write just logged with its width.
 */
function pciConfigHandlers(host: HandlerHost, nic: NicFunctions, args: EventArgs, h: Map<string, Handler>): void {
  let nicAddress = nic.address ?? '';
  let nicRid = routingIdOf(nicAddress);
  /** Line of the last NIC pci_cfg_write, whose *_write_config twin follows on the next line. */
  let writeLine = -1;
  const writeConfig = (name: string, ofVf: boolean): void => {
    h.set(name, (r) => {
      const pos = r.pos;
      if (!readConfigWrite(r, args)) return host.malformed('expected "CONFIG write 0x<offset>, value: 0x<value>, len: <n>"');
      const assembler = host.assembler;
      const held = assembler.heldAccess;
      if (held !== undefined && writeLine === host.lineNo - 1 && held.space === 'pci-config' && (held.vf !== undefined) === ofVf
        && held.kind === 'write' && held.offset === args.offset && !assembler.hasPendingEvents) {
        // pci_cfg_write already recorded this write; the device's own event only adds its width.
        assembler.setHeldSize(args.size);
        host.sideEvent(name, pos, EventRole.Plain);
        return;
      }
      // Without pci_cfg_write (older recordings) the PF's event is its only record of the write;
      // a VF's does not say which VF it was.
      if (ofVf) host.sideEvent(name, pos, EventRole.Plain);
      else host.addAccess('write', 'pci-config', args.offset, args.size, args.value, 'ok');
    });
  };
  writeConfig('igb_write_config', false);
  writeConfig('igbvf_write_config', true);
  /** The VF number of a pci_cfg line's function, or undefined when it is not one of the NIC's VFs. */
  const vfOf = (device: string, address: string): number | undefined => {
    const layout = sriovByVfDevice(device);
    const rid = routingIdOf(address);
    return layout === undefined || rid === undefined || nicRid === undefined ? undefined : vfNumberOf(nicRid, layout, rid);
  };
  const pciCfg = (name: string, kind: AccessKind, arrowText: string): void => {
    const arrow = new ByteLiteral(arrowText);
    h.set(name, (r) => {
      if (!readPciCfg(r, arrow, args)) return host.malformed(`expected "<device> <bus>:<slot>.<fn> @0x<offset>${arrowText}0x<value>"`);
      if (nicAddress === '' && nic.devices.has(args.device)) {
        nicAddress = args.address;
        nicRid = routingIdOf(nicAddress);
      }
      const pf = nic.devices.has(args.device) && args.address === nicAddress;
      const vf = pf ? undefined : vfOf(args.device, args.address);
      host.countPci(name, pf || vf !== undefined);
      if (!pf && vf === undefined) return;
      // pci_cfg_* do not print the width; the natural alignment of the offset is the best guess,
      // and *_write_config (printed right after a write) corrects it.
      const size = args.offset % 4 === 0 ? 4 : args.offset % 2 === 0 ? 2 : 1;
      if (kind === 'write') writeLine = host.lineNo;
      host.addAccess(kind, 'pci-config', args.offset, size, args.value, 'ok', vf);
    });
  };
  pciCfg('pci_cfg_read', 'read', ' -> ');
  pciCfg('pci_cfg_write', 'write', ' <- ');
}
