// What the project's guest (scripts/guest/init) can do, and what each scenario needs from the
// machine and from the host while it runs. One row per scenario: the guest script implements the
// steps, this table is the recorder's side of the contract (vCPUs, kernel command line, a host
// sink for TCP/UDP traffic, QMP link changes, a PCIe root port for SR-IOV, and the guest console
// markers that prove the scenario did what it says).

import type { DeviceModel } from '../devices/table.js';

export interface ScenarioSpec {
  readonly name: string;
  /** One line for --help and the README. */
  readonly summary: string;
  /** vCPUs when --smp is not given (RSS needs more than one to spread queues). */
  readonly smp?: number;
  /** Appended to the kernel command line (e.g. pci=nomsi for legacy interrupts). */
  readonly appendExtra?: string;
  /** The guest sends TCP and UDP (TFTP) to a sink the recorder runs on the host's loopback. */
  readonly hostSink?: boolean;
  /** The guest asks for host-side link changes (QMP set_link) on its console. */
  readonly hostLink?: boolean;
  /** The guest asks the host to send it frames slirp never sends (host-frames.ts: oversize frames). */
  readonly hostFrames?: boolean;
  /** The NIC sits behind a PCIe root port (SR-IOV needs ARI routing below a port). */
  readonly rootPort?: boolean;
  /** Models the scenario works on (default: every model). */
  readonly models?: readonly DeviceModel[];
  /** Console markers (prefixes) the guest must have printed besides `IGBREC: done NAME`. */
  readonly requiredMarkers?: readonly string[];
}

const SCENARIOS: readonly ScenarioSpec[] = [
  { name: 'init', summary: 'load the driver, link up, DHCP' },
  { name: 'traffic', summary: 'init, then 20 pings to the slirp gateway' },
  { name: 'reload', summary: 'init, rmmod, insmod, link up and DHCP again' },
  {
    name: 'soak',
    summary: 'init, then 20 driver reloads, each with link up, DHCP and 10 pings (a long recording: memory and speed on length, a driver life cycle again and again)',
    requiredMarkers: ['IGBREC: soak cycles 20', 'IGBREC: ping '],
  },
  {
    name: 'traffic-mix', hostSink: true,
    summary: 'init, pings, UDP (TFTP put and get) and TCP both ways to a host sink, bulk (TSO) and in small paced writes',
    requiredMarkers: ['IGBREC: ping ', 'IGBREC: udp put ', 'IGBREC: udp get ', 'IGBREC: tcp bulk sent ', 'IGBREC: tcp bulk received ', 'IGBREC: tcp paced sent '],
  },
  {
    name: 'vlan', hostSink: true,
    summary: 'init, 8021q and eth0.5 (VLAN id 5): tagged ARP/ping out, untagged ping and TCP still working',
    requiredMarkers: ['IGBREC: vlan eth0.5 up', 'IGBREC: ping '],
  },
  {
    name: 'qinq',
    summary: 'init, 8021q, eth0.5.7 (VLAN 7 stacked on VLAN 5, the outer tag inserted by the NIC): double-tagged ARP out, untagged pings',
    requiredMarkers: ['IGBREC: qinq eth0.5.7 up', 'IGBREC: qinq double-tagged ping sent', 'IGBREC: ping '],
  },
  {
    name: 'jumbo', hostSink: true,
    summary: 'init, MTU 9000: 8000-byte pings, UDP (TFTP) with 8 KiB blocks, TCP',
    requiredMarkers: ['IGBREC: mtu 9000', 'IGBREC: ping ', 'IGBREC: udp put '],
  },
  {
    name: 'multicast',
    summary: 'init, promiscuous on and off, IPv6 addresses (multicast groups), multicast pings out',
    requiredMarkers: ['IGBREC: promisc on', 'IGBREC: promisc off', 'IGBREC: multicast groups '],
  },
  {
    name: 'rss', hostSink: true, smp: 2,
    summary: 'init on 2 vCPUs, parallel TCP downloads so RSS spreads them over the queues',
    requiredMarkers: ['IGBREC: rss downloads ', 'IGBREC: queue irqs '],
  },
  {
    name: 'nomsi', hostSink: true, appendExtra: 'pci=nomsi',
    summary: 'init with MSI and MSI-X disabled (pci=nomsi: legacy INTx), pings and a TCP transfer',
    requiredMarkers: ['IGBREC: ping ', 'IGBREC: tcp bulk sent ', 'IGBREC: irq mode intx'],
  },
  {
    name: 'msi', hostSink: true, models: ['e1000e'],
    summary: 'e1000e loaded with IntMode=1: one MSI message (ITR-throttled) instead of MSI-X vectors, after the driver\'s MSI interrupt test (if it fails the driver falls back to INTx, and says so), pings and a TCP transfer',
    requiredMarkers: ['IGBREC: ping ', 'IGBREC: tcp bulk sent ', 'IGBREC: irq mode '],
  },
  {
    name: 'linkflap', hostLink: true,
    summary: 'init, host-side link down and up (QMP set_link) while the driver runs, pings after',
    requiredMarkers: ['IGBREC: carrier down', 'IGBREC: carrier up', 'IGBREC: ping '],
  },
  {
    name: 'udp-rss', hostSink: true, smp: 2,
    summary: 'init on 2 vCPUs, ethtool -N eth0 rx-flow-hash udp4 sdfn (RSS on UDP ports), four parallel TFTP downloads',
    requiredMarkers: ['IGBREC: ethtool -N eth0 rx-flow-hash udp4 sdfn', 'IGBREC: udp rss downloads ', 'IGBREC: queue irqs '],
  },
  {
    name: 'oversize', hostFrames: true,
    summary: 'init, then the host sends UDP frames of 1514 to 2000 bytes (over a 1500-byte MTU: the LPE/RLPML size checks); the driver reads its statistics',
    requiredMarkers: ['IGBREC: host send oversize', 'IGBREC: oversize rx '],
  },
  {
    name: 'reconfigure', smp: 2,
    summary: 'init on 2 vCPUs, then a running NIC set up anew: another MAC address, MTU 1280 and back, VLAN filters with RX VLAN offload off and on, channels 1 and back (igb); pings after each step',
    requiredMarkers: ['IGBREC: mac 52:54:00:12:34:9a', 'IGBREC: mtu 1500', 'IGBREC: vlans 5 6 7 added and removed', 'IGBREC: reconfigured', 'IGBREC: ping '],
  },
  {
    name: 'ethtool',
    summary: 'init, then ethtool as an administrator uses it: register and EEPROM dumps, statistics, interrupt coalescing, ring sizes, offloads off and on, pause frames, autonegotiation restart, the offline self-test; pings between',
    requiredMarkers: ['IGBREC: ethtool -d eth0', 'IGBREC: ethtool -e eth0', 'IGBREC: ethtool -G eth0', 'IGBREC: ethtool -t eth0 offline: ', 'IGBREC: ping '],
  },
  {
    name: 'sriov', rootPort: true, models: ['igb'],
    summary: 'init behind a PCIe root port, 2 VFs (sriov_numvfs), igbvf binds them, a VF gets a DHCP lease and pings',
    requiredMarkers: ['IGBREC: vfs 2', 'IGBREC: vf eth1 up'],
  },
  {
    name: 'sriov-flr', rootPort: true, models: ['igb'],
    summary: 'init behind a PCIe root port, 2 VFs, a function-level reset of the PF with the VFs enabled (the kernel restores the SR-IOV capability), eth0 down and up, pings, VFs off',
    requiredMarkers: ['IGBREC: vfs 2', 'IGBREC: pf reset, vfs 2', 'IGBREC: ping ', 'IGBREC: vfs off 0'],
  },
];

/**
 * The scenario names `record` runs with scripts/guest/init (igbrec=NAME on the kernel command line).
 * The guest's `mmiotrace` scenario is left to scripts/record-linux-traces.sh, which adds the second
 * serial port it streams to and checks what arrives.
 */
export const PROJECT_SCENARIOS: readonly string[] = SCENARIOS.map((spec) => spec.name);

export function scenarioSpec(name: string): ScenarioSpec | undefined {
  return SCENARIOS.find((spec) => spec.name === name);
}
