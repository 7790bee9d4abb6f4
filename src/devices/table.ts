// The one table of NIC models igb-replay knows: everything that differs between QEMU's igb
// (Intel 82576) and its ancestor e1000e (82574L) lives in a row here, and nowhere else. Adding a
// third model means adding a row and its register CSVs (src/regs/<model>-registers.csv and
// <model>-fields.csv); the README's design section lists exactly that.
//
// Sources: Linux drivers/net/ethernet/intel/{igb/e1000_hw.h,e1000e/hw.h} (PCI ids, v6.x);
// QEMU 10.0.2 hw/net/igb.c, hw/net/e1000e.c (what the emulated function presents) and
// hw/net/trace-events (which events only one model emits).

/** A NIC model: the key of every row, and QEMU's `-device` name for it. */
export type DeviceModel = 'igb' | 'e1000e';

export interface DeviceRow {
  readonly model: DeviceModel;
  /** The chip QEMU emulates, for messages: `82576`. */
  readonly chip: string;
  /** What QEMU's emulated PCI function presents in config space. */
  readonly pci: { readonly vendor: number; readonly device: number };
  /**
   * Real chips whose BAR0 follows this model's register layout, by PCI device id (Intel vendor), for
   * recordings of real hardware (mmiotrace): the chip name of each.
   */
  readonly chips: ReadonlyMap<number, string>;
  /** The register database: CSV files in src/regs (BAR0 registers, and their bit fields). */
  readonly registerTables: { readonly registers: string; readonly fields: string };
  /** Event name prefixes only this model emits (QEMU's igb also emits e1000e_* events). */
  readonly ownEventPrefixes: readonly string[];
  /** Events of the shared e1000e_* family that only this model emits (checked per event in QEMU 10.0.2). */
  readonly ownEvents: ReadonlySet<string>;
  /** BAR3 (MSI-X table and PBA) is a 64-bit memory BAR, taking two BAR registers. */
  readonly msixBar64: boolean;
  /** The Linux driver module a recording's guest loads for this model. */
  readonly linuxDriver: string;
  /** SR-IOV: the virtual functions the emulated PF can create (absent: the model has none). */
  readonly sriov?: SriovLayout;
  /** How the model's receive descriptors name their buffers, for seeding them (src/datapath/rx-path.ts). */
  readonly rxBuffers: RxBufferLayout;
  /** How the model's transmit descriptors lay out offloads, for rebuilding packets (src/datapath/tx-descriptor.ts). */
  readonly txDescriptors: TxDescriptorLayout;
  /** How the model signals and throttles interrupts (MSI-X vectors, ITR), for following them in its events (src/checks/events/, the paced clock). */
  readonly msix: MsixLayout;
}

export interface MsixLayout {
  /**
   * The register that holds MSI-X interrupt causes, and whose value QEMU's `e1000e_irq_icr_clear_eiac`
   * prints: igb's EICR (a bit per vector) or e1000e's ICR (causes mapped to vectors by IVAR).
   */
  readonly causes: 'EICR' | 'ICR';
  /** Offset of EITR(0), the first vector's throttling register (EITR(n) at + 4n), as QEMU's events name it. */
  readonly eitr0: number;
  /**
   * Offset of ITR, whose one throttling timer holds back INTx and MSI interrupts (e1000e: it runs
   * out without a trace line when nothing is pending); absent: the model throttles those with
   * EITR(0) (igb), whose timer always logs.
   */
  readonly itr?: number;
}

/**
 * How a model's transmit descriptors lay out their offloads: igb's advanced descriptors (context
 * index and payload length in the data descriptor) or e1000e's extended ones (one context per
 * queue holding header length, MSS and payload length).
 */
export type TxDescriptorLayout = 'advanced' | 'extended';

/**
 * The event QEMU logs for each receive buffer the device writes (`buffer N, addr: ...`), and which
 * 64-bit word of the descriptor (as the driver writes it) holds buffer N's address.
 */
export interface RxBufferLayout {
  readonly event: string;
  /** Descriptor word of each buffer index the event prints. */
  readonly wordOfBuffer: readonly number[];
}

/**
 * Where an SR-IOV PF's virtual functions sit and what QEMU calls them. VF n's routing id (bus <<
 * 8 | devfn) is the PF's plus firstVfOffset + n * vfStride (PCIe SR-IOV: First VF Offset and VF
 * Stride, which QEMU's PF presents in its SR-IOV capability).
 */
export interface SriovLayout {
  /** QEMU's device name of a VF, as `pci_cfg_*` lines print it: `igbvf`. */
  readonly vfDevice: string;
  readonly firstVfOffset: number;
  readonly vfStride: number;
  readonly totalVfs: number;
}

/** Intel's PCI vendor id: every chip in the table is Intel's. */
export const INTEL_VENDOR = 0x8086;

const IGB: DeviceRow = {
  model: 'igb',
  chip: '82576',
  pci: { vendor: INTEL_VENDOR, device: 0x10c9 },
  chips: new Map([
    // 82576, the chip QEMU's igb emulates, in all its board variants.
    [0x10c9, '82576'], [0x10e6, '82576 fiber'], [0x10e7, '82576 SerDes'], [0x10e8, '82576 quad copper'],
    [0x1526, '82576 quad copper ET2'], [0x150a, '82576NS'], [0x1518, '82576NS SerDes'], [0x150d, '82576 SerDes quad'],
    // The rest of the igb family: same BAR0 layout for the registers the driver shares with the 82576.
    [0x10a7, '82575EB copper'], [0x10a9, '82575EB fiber/SerDes'], [0x10d6, '82575GB quad copper'],
    [0x150e, '82580 copper'], [0x150f, '82580 fiber'], [0x1510, '82580 SerDes'], [0x1511, '82580 SGMII'],
    [0x1516, '82580 copper dual'], [0x1527, '82580 quad fiber'],
    [0x1521, 'I350 copper'], [0x1522, 'I350 fiber'], [0x1523, 'I350 SerDes'], [0x1524, 'I350 SGMII'],
    [0x1533, 'I210 copper'], [0x1536, 'I210 fiber'], [0x1537, 'I210 SerDes'], [0x1538, 'I210 SGMII'],
    [0x157b, 'I210 copper flashless'], [0x157c, 'I210 SerDes flashless'], [0x1539, 'I211 copper'],
  ]),
  registerTables: { registers: 'igb-registers.csv', fields: 'igb-fields.csv' },
  ownEventPrefixes: ['igb_', 'igbvf_'],
  ownEvents: new Set(),
  msixBar64: true,
  linuxDriver: 'igb',
  // QEMU 10.0.2 hw/net/igb.c (IGB_VF_OFFSET, IGB_VF_STRIDE), igb_regs.h (IGB_MAX_VF_FUNCTIONS),
  // igb_common.h (TYPE_IGBVF).
  sriov: { vfDevice: 'igbvf', firstVfOffset: 0x80, vfStride: 2, totalVfs: 8 },
  // igb_core.c igb_read_rx_descr: buffer 1 is the packet buffer (pkt_addr, or a legacy
  // descriptor's buffer_addr: word 0), buffer 0 the header buffer of header split (hdr_addr: word 1).
  rxBuffers: { event: 'igb_rx_desc_buff_write', wordOfBuffer: [1, 0] },
  // Advanced transmit descriptors (82576 datasheet 7.2.2; igb_core.c igb_process_tx_desc).
  txDescriptors: 'advanced',
  // igb_core.c igb_msix_notify / igb_set_eicr: MSI-X causes are EICR bits; igb_regs.h EITR 0x1680.
  msix: { causes: 'EICR', eitr0: 0x1680 },
};

const E1000E: DeviceRow = {
  model: 'e1000e',
  chip: '82574L',
  pci: { vendor: INTEL_VENDOR, device: 0x10d3 },
  chips: new Map([[0x10d3, '82574L']]),
  registerTables: { registers: 'e1000e-registers.csv', fields: 'e1000e-fields.csv' },
  ownEventPrefixes: [],
  // e1000e_* events QEMU's igb never emits: igb has its own MDIC, link and interrupt code.
  ownEvents: new Set([
    'e1000e_core_mdic_read', 'e1000e_core_mdic_read_unhandled', 'e1000e_core_mdic_write', 'e1000e_core_mdic_write_unhandled',
    'e1000e_link_set_ext_params', 'e1000e_link_status', 'e1000e_wrn_no_ts_support', 'e1000e_wrn_no_snap_support',
    'e1000e_rx_desc_ps_read', 'e1000e_rx_desc_ps_write', 'e1000e_rx_desc_buff_sizes', 'e1000e_rx_desc_buff_write',
    'e1000e_rx_interrupt_delayed', 'e1000e_rx_metadata_rss', 'e1000e_rx_metadata_ack',
    'e1000e_rx_metadata_ipv6_filtering_disabled', 'e1000e_vlan_vet', 'e1000e_irq_msi_notify_postponed',
    'e1000e_irq_legacy_notify_postponed', 'e1000e_irq_add_msi_other', 'e1000e_irq_icr_process_iame',
    'e1000e_irq_icr_clear_iame', 'e1000e_irq_icr_clear_icr_bit_ims', 'e1000e_irq_iam_clear_eiame',
    'e1000e_irq_fire_delayed_interrupts', 'e1000e_irq_throttling_timer', 'e1000e_irq_rdtr_fpd_running',
    'e1000e_irq_rdtr_fpd_not_running', 'e1000e_irq_tidv_fpd_running', 'e1000e_irq_tidv_fpd_not_running',
    'e1000e_irq_eitr_set', 'e1000e_irq_itr_set', 'e1000e_irq_fire_all_timers', 'e1000e_irq_msix_pending_clearing',
    'e1000e_wrn_msix_vec_wrong', 'e1000e_wrn_msix_invalid', 'e1000e_vm_state_running', 'e1000e_vm_state_stopped',
    'e1000e_msix_use_vector_fail',
  ]),
  msixBar64: false,
  linuxDriver: 'e1000e',
  // e1000e_core.c e1000e_read_rx_descr: legacy and extended descriptors have one buffer (word 0);
  // packet split has four, buffer n in word n.
  rxBuffers: { event: 'e1000e_rx_desc_buff_write', wordOfBuffer: [0, 1, 2, 3] },
  // Extended transmit descriptors (82574 datasheet 7.2.10; e1000e_core.c e1000e_process_tx_desc).
  txDescriptors: 'extended',
  // e1000e_core.c e1000e_msix_notify_one: MSI-X causes stay in ICR, EIAC clears them there;
  // e1000_regs.h E1000_EITR_82574(n) 0xe8 + 4n; E1000_ITR 0xc4 (e1000e_intrmgr_on_throttling_timer).
  msix: { causes: 'ICR', eitr0: 0xe8, itr: 0xc4 },
};

/** Every row, the project's own device (igb) first: it is the default wherever a trace says nothing. */
export const DEVICES: readonly DeviceRow[] = [IGB, E1000E];

export const DEVICE_MODELS: readonly DeviceModel[] = DEVICES.map((row) => row.model);

/** The model assumed when nothing tells: the device this project is about. */
export const DEFAULT_DEVICE_MODEL: DeviceModel = 'igb';

export function isDeviceModel(name: string): name is DeviceModel {
  return DEVICES.some((row) => row.model === name);
}

export function deviceRow(model: DeviceModel): DeviceRow {
  return DEVICES.find((row) => row.model === model)!;
}

/** The model whose emulated function presents this PCI device id. */
export function modelOfEmulatedPciId(vendor: number, device: number): DeviceModel | undefined {
  return DEVICES.find((row) => row.pci.vendor === vendor && row.pci.device === device)?.model;
}

/** The row whose register layout a real chip follows (mmiotrace of real hardware), with the chip's name. */
export function chipById(vendor: number, device: number): { readonly row: DeviceRow; readonly name: string } | undefined {
  if (vendor !== INTEL_VENDOR) return undefined;
  for (const row of DEVICES) {
    const name = row.chips.get(device);
    if (name !== undefined) return { row, name };
  }
  return undefined;
}

/** Every chip id the table knows, as `8086:10c9`, for hints. */
export function knownChipIds(): string[] {
  return DEVICES.flatMap((row) => [...row.chips.keys()].map((id) => `8086:${id.toString(16).padStart(4, '0')}`));
}

/** The model that alone emits this event, if only one does. */
export function modelOwningEvent(name: string): DeviceModel | undefined {
  for (const row of DEVICES) {
    if (row.ownEvents.has(name) || row.ownEventPrefixes.some((prefix) => name.startsWith(prefix))) return row.model;
  }
  return undefined;
}

/** The SR-IOV layout of the model whose VFs QEMU names `vfDevice` (`igbvf`). */
export function sriovByVfDevice(vfDevice: string): SriovLayout | undefined {
  return DEVICES.find((row) => row.sriov?.vfDevice === vfDevice)?.sriov;
}

/** VF n's routing id (bus << 8 | devfn) from its PF's. */
export function vfRoutingId(pf: number, layout: SriovLayout, vf: number): number {
  return pf + layout.firstVfOffset + vf * layout.vfStride;
}

/** The VF number a routing id has below its PF, or undefined when it is none of the PF's VFs. */
export function vfNumberOf(pf: number, layout: SriovLayout, rid: number): number | undefined {
  const step = rid - pf - layout.firstVfOffset;
  if (step < 0 || step % layout.vfStride !== 0) return undefined;
  const vf = step / layout.vfStride;
  return vf < layout.totalVfs ? vf : undefined;
}

/** `model (chip)`, e.g. `igb (82576)`, for messages. */
export function describeModel(model: DeviceModel): string {
  return `${model} (${deviceRow(model).chip})`;
}
