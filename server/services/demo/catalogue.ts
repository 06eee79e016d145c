import { PartInput } from '../catalogue';

/*
 * The demo company's data: the part families it stocks, the opening quantities the later demo
 * events rely on, and its suppliers. Prices are strings so they become Decimals, never floats.
 */

export const MAIN = 'MAIN';
export const BAY = 'WIP-BAY';

export type Family = {
  prefix: string;
  unit?: string;
  fractional?: boolean;
  source?: PartInput['source'];
  tracking?: PartInput['tracking'];
  /** Share of parts in the family with a barcode (0..1). */
  barcodes: number;
  /** Reorder point as a multiple of the typical stock level, or none. */
  reorder?: number;
  /** Typical opening quantity range at MAIN. */
  qty: [number, number];
  /** Chance of some stock also sitting in the assembly bay. */
  bay: number;
  defaultLocation?: string;
  /** Serial prefix (serial-tracked) or lot prefix (lot-tracked). */
  code?: string;
  /** [sku suffix, name, typical unit cost, description?] */
  items: [string, string, string, string?][];
};

export const FAMILIES: Family[] = [
  {
    prefix: 'BRG', barcodes: 1, reorder: 0.35, qty: [12, 60], bay: 0.25,
    items: [
      ['6201-2RS', 'Deep groove ball bearing 6201-2RS 12x32x10', '2.18'],
      ['6202-2RS', 'Deep groove ball bearing 6202-2RS 15x35x11', '2.34'],
      ['6203-2RS', 'Deep groove ball bearing 6203-2RS 17x40x12', '2.61'],
      ['6204-2RS', 'Deep groove ball bearing 6204-2RS 20x47x14', '3.12'],
      ['6205-2RS', 'Deep groove ball bearing 6205-2RS C3 25x52x15', '3.85'],
      ['6206-2RS', 'Deep groove ball bearing 6206-2RS C3 30x62x16', '4.90'],
      ['6207-2RS', 'Deep groove ball bearing 6207-2RS C3 35x72x17', '6.45'],
      ['6208-2RS', 'Deep groove ball bearing 6208-2RS C3 40x80x18', '7.80'],
      ['6305-2RS', 'Deep groove ball bearing 6305-2RS C3 25x62x17', '5.95'],
      ['6306-2RS', 'Deep groove ball bearing 6306-2RS C3 30x72x19', '7.40'],
      ['6307-2RS', 'Deep groove ball bearing 6307-2RS C3 35x80x21', '9.65'],
      ['6308-2RS', 'Deep groove ball bearing 6308-2RS C3 40x90x23', '12.20'],
      ['7206-BEP', 'Angular contact bearing 7206 BEP 30x62x16', '18.75'],
      ['7208-BEP', 'Angular contact bearing 7208 BEP 40x80x18', '24.30'],
      ['NU206', 'Cylindrical roller bearing NU206 ECP 30x62x16', '21.40'],
      ['NU208', 'Cylindrical roller bearing NU208 ECP 40x80x18', '29.90'],
    ],
  },
  {
    prefix: 'SEAL', tracking: 'lot', code: 'SB', barcodes: 0.5, reorder: 0.4, qty: [6, 30], bay: 0.15,
    items: [
      ['MS-25', 'Mechanical seal 25 mm carbon/SiC/EPDM', '38.50', 'Elastomer bellows seal for CP 50 range'],
      ['MS-35', 'Mechanical seal 35 mm carbon/SiC/EPDM', '46.20', 'Elastomer bellows seal for CP 65 range'],
      ['MS-45', 'Mechanical seal 45 mm SiC/SiC/Viton', '71.80', 'Hard-faced seal for CP 80 range'],
      ['MS-55', 'Mechanical seal 55 mm SiC/SiC/Viton', '94.60', 'Hard-faced seal for CP 100 range'],
      ['LIP-25-42', 'Lip seal 25x42x7 NBR', '1.85'],
      ['LIP-30-47', 'Lip seal 30x47x7 NBR', '2.05'],
      ['LIP-35-52', 'Lip seal 35x52x7 NBR', '2.30'],
      ['LIP-40-62', 'Lip seal 40x62x8 Viton', '4.75'],
      ['OR-225-V', 'O-ring BS225 Viton 75', '0.9450'],
      ['OR-236-N', 'O-ring BS236 NBR 70', '0.4125'],
    ],
  },
  {
    prefix: 'GSK', barcodes: 0.5, reorder: 0.3, qty: [10, 40], bay: 0.2,
    items: [
      ['50', 'Casing gasket set CP 50', '6.40'],
      ['65', 'Casing gasket set CP 65', '7.15'],
      ['80', 'Casing gasket set CP 80', '8.90'],
      ['100', 'Casing gasket set CP 100', '11.60'],
    ],
  },
  {
    prefix: 'FST', unit: 'box', barcodes: 1, reorder: 0.3, qty: [4, 24], bay: 0.6, defaultLocation: BAY,
    items: [
      ['HB-M6X20', 'Hex bolt M6x20 A2 stainless, box of 100', '6.85'],
      ['HB-M8X25', 'Hex bolt M8x25 A2 stainless, box of 100', '11.40'],
      ['HB-M8X40', 'Hex bolt M8x40 A2 stainless, box of 100', '14.95'],
      ['HB-M10X30', 'Hex bolt M10x30 grade 8.8 zinc, box of 100', '12.60'],
      ['HB-M10X50', 'Hex bolt M10x50 grade 8.8 zinc, box of 100', '16.20'],
      ['HB-M12X40', 'Hex bolt M12x40 grade 8.8 zinc, box of 50', '13.75'],
      ['HB-M12X60', 'Hex bolt M12x60 grade 8.8 zinc, box of 50', '17.30'],
      ['HB-M16X60', 'Hex bolt M16x60 grade 8.8 zinc, box of 25', '18.90'],
      ['SC-M5X16', 'Socket cap screw M5x16 A2, box of 100', '5.40'],
      ['SC-M6X25', 'Socket cap screw M6x25 A2, box of 100', '7.25'],
      ['SC-M8X30', 'Socket cap screw M8x30 A2, box of 100', '12.10'],
      ['HN-M6', 'Hex nut M6 A2, box of 100', '2.35'],
      ['HN-M8', 'Hex nut M8 A2, box of 100', '3.40'],
      ['HN-M10', 'Hex nut M10 zinc, box of 100', '3.95'],
      ['HN-M12', 'Hex nut M12 zinc, box of 100', '5.60'],
      ['NN-M8', 'Nyloc nut M8 A2, box of 100', '4.85'],
      ['FW-M6', 'Flat washer M6 form A, box of 100', '1.20'],
      ['FW-M8', 'Flat washer M8 form A, box of 100', '1.65'],
      ['FW-M10', 'Flat washer M10 form A, box of 100', '2.10'],
      ['FW-M12', 'Flat washer M12 form A, box of 100', '2.95'],
      ['SW-M10', 'Spring washer M10, box of 100', '1.85'],
      ['STUD-M12', 'Threaded stud M12x1000 grade 8.8, box of 10', '19.40'],
    ],
  },
  {
    prefix: 'MTR', tracking: 'serial', code: 'MTR', barcodes: 0.2, reorder: 0.5, qty: [1, 4], bay: 0.2,
    items: [
      ['IE3-0.75-4P', 'Motor 0.75 kW 4-pole IE3 TEFC B35 80 frame', '148.00'],
      ['IE3-1.1-4P', 'Motor 1.1 kW 4-pole IE3 TEFC B35 90S frame', '172.50'],
      ['IE3-1.5-4P', 'Motor 1.5 kW 4-pole IE3 TEFC B35 90L frame', '196.80'],
      ['IE3-2.2-4P', 'Motor 2.2 kW 4-pole IE3 TEFC B35 100L frame', '238.40'],
      ['IE3-3.0-4P', 'Motor 3.0 kW 4-pole IE3 TEFC B35 100L frame', '279.00'],
      ['IE3-4.0-4P', 'Motor 4.0 kW 4-pole IE3 TEFC B35 112M frame', '331.60'],
      ['IE3-5.5-4P', 'Motor 5.5 kW 4-pole IE3 TEFC B35 132S frame', '455.20'],
      ['IE3-7.5-2P', 'Motor 7.5 kW 2-pole IE3 TEFC B3 132S frame', '512.90'],
      ['IE3-11-2P', 'Motor 11 kW 2-pole IE3 TEFC B3 160M frame', '786.00'],
    ],
  },
  {
    prefix: 'VFD', tracking: 'serial', code: 'VFD', barcodes: 0.5, reorder: 0.5, qty: [1, 3], bay: 0.1,
    items: [
      ['0.75', 'Variable speed drive 0.75 kW 230 V 1-phase', '164.00'],
      ['2.2', 'Variable speed drive 2.2 kW 400 V 3-phase IP20', '241.50'],
      ['5.5', 'Variable speed drive 5.5 kW 400 V 3-phase IP20', '398.00'],
      ['11', 'Variable speed drive 11 kW 400 V 3-phase IP55', '812.40'],
    ],
  },
  {
    prefix: 'ELC', barcodes: 0.7, reorder: 0.3, qty: [3, 25], bay: 0.2,
    items: [
      ['PCB-PC100-C', 'Pump controller PCB PC100 rev C', '46.30', 'Duty/standby logic, 4-20 mA in, Modbus RTU'],
      ['PCB-DSP-B', 'Display PCB with 4-line LCD rev B', '21.75'],
      ['PT-10-420', 'Pressure transducer 0-10 bar 4-20 mA G1/4', '38.90'],
      ['PT-16-420', 'Pressure transducer 0-16 bar 4-20 mA G1/4', '41.20'],
      ['FLT-SW', 'Float switch, cable 10 m', '14.60'],
      ['CON-9A', 'Contactor 9 A 24 V DC coil', '11.35'],
      ['CON-18A', 'Contactor 18 A 24 V DC coil', '17.80'],
      ['OLR-4-6', 'Thermal overload relay 4-6 A', '13.95'],
      ['ISO-20A', 'Rotary isolator 20 A 3-pole IP65', '12.40'],
      ['ENC-4030', 'Steel enclosure 400x300x200 IP66', '54.70'],
      ['PSU-24-2.5', 'DIN rail PSU 24 V DC 2.5 A', '22.85'],
      ['TB-DIN-4', 'DIN terminal block 4 mm² grey', '0.3850'],
    ],
  },
  {
    prefix: 'CST', barcodes: 0, reorder: 0.25, qty: [2, 16], bay: 0.2,
    items: [
      ['VOL-50-160', 'Volute casing 50-160 GG25 cast iron', '84.50'],
      ['VOL-65-200', 'Volute casing 65-200 GG25 cast iron', '112.00'],
      ['VOL-80-250', 'Volute casing 80-250 GG25 cast iron', '168.40'],
      ['VOL-100-315', 'Volute casing 100-315 GG25 cast iron', '246.00'],
      ['IMP-50-160', 'Impeller 50-160 CC491K bronze, 165 dia', '58.20'],
      ['IMP-65-200', 'Impeller 65-200 CC491K bronze, 209 dia', '79.60'],
      ['IMP-80-250', 'Impeller 80-250 CC491K bronze, 260 dia', '118.30'],
      ['IMP-100-315', 'Impeller 100-315 CC491K bronze, 320 dia', '172.90'],
      ['BH-1', 'Bearing housing size 1 GG25', '42.70'],
      ['BH-2', 'Bearing housing size 2 GG25', '61.35'],
      ['LB-100', 'Lantern bracket 100L/112M frame', '27.80'],
      ['LB-132', 'Lantern bracket 132/160 frame', '36.45'],
      ['CVR-50', 'Casing cover 50/65 GG25', '31.90'],
      ['CVR-80', 'Casing cover 80/100 GG25', '47.25'],
    ],
  },
  {
    prefix: 'STL', unit: 'kg', fractional: true, barcodes: 0, reorder: 0.3, qty: [120, 900], bay: 0.15,
    items: [
      ['S275-2', 'Sheet steel S275 2 mm', '1.1850'],
      ['S275-3', 'Sheet steel S275 3 mm', '1.1620'],
      ['S275-5', 'Sheet steel S275 5 mm', '1.1475'],
      ['304-1.5', 'Sheet stainless 304 1.5 mm 2B', '3.8240'],
      ['EN8-40', 'Bright bar EN8 40 mm round', '1.6350'],
      ['EN8-60', 'Bright bar EN8 60 mm round', '1.6120'],
      ['316-30', 'Stainless bar 316 30 mm round', '5.9480'],
      ['ANG-50', 'Equal angle 50x50x5 S275', '1.2475'],
      ['RHS-60-40', 'Rectangular hollow section 60x40x3 S355', '1.3890'],
    ],
  },
  {
    prefix: 'CAB', unit: 'm', fractional: true, barcodes: 0.5, reorder: 0.25, qty: [50, 400], bay: 0.5,
    items: [
      ['SY-3C-1.5', 'SY flex cable 3-core 1.5 mm²', '1.4250'],
      ['SY-4C-2.5', 'SY flex cable 4-core 2.5 mm²', '2.3875'],
      ['SWA-4C-4', 'SWA armoured cable 4-core 4 mm²', '4.1960'],
      ['SWA-4C-6', 'SWA armoured cable 4-core 6 mm²', '5.6320'],
      ['INS-2P', 'Instrument cable 2-pair screened', '0.8725'],
      ['ERT-6', 'Earth cable 6 mm² green/yellow', '0.9350'],
    ],
  },
  {
    prefix: 'PNT', unit: 'l', fractional: true, tracking: 'lot', code: 'PB', barcodes: 0.8, reorder: 0.3, qty: [10, 60], bay: 0.4,
    items: [
      ['PRM-ZP', 'Primer, zinc phosphate epoxy, grey', '14.60'],
      ['RAL5010', 'Topcoat 2K polyurethane RAL 5010 gentian blue', '19.85'],
      ['RAL7035', 'Topcoat 2K polyurethane RAL 7035 light grey', '18.40'],
      ['RAL3000', 'Topcoat 2K polyurethane RAL 3000 flame red', '21.15'],
      ['HRD-2K', 'Hardener for 2K topcoat', '24.90'],
    ],
  },
  {
    prefix: 'PNT', unit: 'l', fractional: true, barcodes: 1, reorder: 0.3, qty: [10, 40], bay: 0.4,
    items: [['THN-2K', 'Thinners for 2K coatings', '6.75']],
  },
  {
    prefix: 'ADH', tracking: 'lot', code: 'AD', barcodes: 1, reorder: 0.4, qty: [6, 30], bay: 0.6,
    items: [
      ['243-50', 'Threadlocker medium strength 243, 50 ml', '11.80'],
      ['270-50', 'Threadlocker high strength 270, 50 ml', '12.45'],
      ['518-50', 'Flange sealant 518, 50 ml', '16.90'],
      ['577-250', 'Thread sealant 577, 250 ml', '38.60'],
      ['EPX-50', 'Two-part epoxy 50 ml cartridge', '9.35'],
      ['RTV-310', 'Silicone RTV sealant 310 ml, black', '7.20'],
    ],
  },
  {
    prefix: 'PIP', barcodes: 0.6, reorder: 0.3, qty: [4, 30], bay: 0.15,
    items: [
      ['FLG-DN50', 'Weld-neck flange DN50 PN16', '14.80'],
      ['FLG-DN65', 'Weld-neck flange DN65 PN16', '18.25'],
      ['FLG-DN80', 'Weld-neck flange DN80 PN16', '22.60'],
      ['FLG-DN100', 'Weld-neck flange DN100 PN16', '29.40'],
      ['BV-1IN', 'Ball valve 1" BSP brass, lever', '9.85'],
      ['BV-2IN', 'Ball valve 2" BSP brass, lever', '27.30'],
      ['NRV-DN50', 'Non-return valve DN50 wafer', '41.50'],
      ['PG-10-63', 'Pressure gauge 0-10 bar 63 mm glycerine', '8.65'],
      ['PG-16-100', 'Pressure gauge 0-16 bar 100 mm glycerine', '17.95'],
      ['PRV-10', 'Pressure relief valve 10 bar 1/2" BSP', '23.40'],
      ['NIP-1IN', 'Hex nipple 1" BSP steel', '1.9250'],
    ],
  },
  {
    prefix: 'PIP', unit: 'm', fractional: true, barcodes: 0, reorder: 0.25, qty: [20, 150], bay: 0.3,
    items: [['HOSE-12', 'Air hose 1/2" reinforced PVC', '2.1480']],
  },
  {
    prefix: 'CMP', barcodes: 0.7, reorder: 0.4, qty: [3, 20], bay: 0.1,
    items: [
      ['AF-7', 'Air filter element SC-7', '18.40'],
      ['AF-11', 'Air filter element SC-11', '23.75'],
      ['OF-7', 'Oil filter SC-7/SC-11', '12.90'],
      ['OS-7', 'Oil separator element SC-7', '64.30'],
      ['OS-11', 'Oil separator element SC-11', '82.15'],
      ['VB-SPA1250', 'V-belt SPA 1250', '7.85'],
      ['VB-SPA1400', 'V-belt SPA 1400', '8.40'],
      ['PUL-SPA160', 'Taper-lock pulley SPA 160 2-groove', '34.60'],
      ['CPL-L100', 'Jaw coupling L100 half', '11.25'],
      ['CPL-L150', 'Jaw coupling L150 half', '19.80'],
      ['CPL-SPD-100', 'Coupling spider L100 NBR', '3.45'],
      ['MPV-7', 'Minimum pressure valve SC-7', '48.90'],
      ['TMV-7', 'Thermostatic oil valve SC-7', '56.20'],
      ['AE-7', 'Screw air end 7.5 kW, bare', '1240.00', 'Oil-injected twin screw air end'],
    ],
  },
  {
    prefix: 'CMP', unit: 'l', fractional: true, tracking: 'lot', code: 'OIL', barcodes: 1, reorder: 0.3, qty: [20, 120], bay: 0.1,
    items: [['OIL-SYN46', 'Compressor oil, synthetic ISO VG 46', '8.95']],
  },
  {
    prefix: 'PKG', barcodes: 0.3, reorder: 0.3, qty: [5, 40], bay: 0.3,
    items: [
      ['CRATE-M', 'Export crate, medium 1200x800x900', '42.00'],
      ['PAL-1210', 'Pallet 1200x1000 heat-treated', '11.50'],
      ['WRAP-500', 'Stretch wrap roll 500 mm', '9.40'],
      ['RPL-BLANK', 'Rating plate blank, stainless', '0.8650'],
      ['TIE-300', 'Cable ties 300 mm black, bag of 100', '2.70'],
    ],
  },
  {
    prefix: 'PKG', unit: 'm', fractional: true, barcodes: 0, reorder: 0.25, qty: [20, 100], bay: 0.5,
    items: [['HSS-12', 'Heat-shrink sleeving 12 mm black', '0.6240']],
  },
  {
    prefix: 'SA', source: 'made', barcodes: 0, qty: [1, 6], bay: 0.6, defaultLocation: BAY,
    items: [
      ['ROT-50-160', 'Rotating assembly 50-160 (shaft, impeller, seal)', '142.60'],
      ['ROT-65-200', 'Rotating assembly 65-200 (shaft, impeller, seal)', '181.30'],
      ['ROT-80-250', 'Rotating assembly 80-250 (shaft, impeller, seal)', '254.90'],
      ['ROT-100-315', 'Rotating assembly 100-315 (shaft, impeller, seal)', '348.75'],
      ['CP-DOL-2.2', 'Control panel DOL 2.2 kW, wired and tested', '168.40'],
      ['CP-VSD-5.5', 'Control panel VSD 5.5 kW, wired and tested', '612.80'],
      ['BASE-1', 'Fabricated baseplate size 1, primed', '74.20'],
      ['BASE-2', 'Fabricated baseplate size 2, primed', '96.50'],
      ['AEM-7', 'Air-end module SC-7 (air end, motor, belts)', '1986.00'],
    ],
  },
  {
    prefix: 'SK', source: 'both', barcodes: 1, reorder: 0.5, qty: [2, 10], bay: 0,
    items: [
      ['CP50', 'Service kit CP 50 (seal, bearings, gaskets)', '61.40'],
      ['CP65', 'Service kit CP 65 (seal, bearings, gaskets)', '74.85'],
      ['SC7', 'Service kit SC-7 (filters, separator, oil)', '132.60'],
    ],
  },
  {
    prefix: 'CP', source: 'made', tracking: 'serial', code: 'CP', barcodes: 1, qty: [1, 3], bay: 0,
    items: [
      ['50-160-2.2', 'Centrifugal pump CP 50-160, 2.2 kW, cast iron', '812.00', 'End-suction pump set on baseplate, 25 m³/h at 32 m'],
      ['65-200-5.5', 'Centrifugal pump CP 65-200, 5.5 kW, cast iron', '1364.00', 'End-suction pump set on baseplate, 50 m³/h at 50 m'],
      ['80-250-11', 'Centrifugal pump CP 80-250, 11 kW, cast iron', '2218.00', 'End-suction pump set on baseplate, 100 m³/h at 80 m'],
      ['100-315-BS', 'Centrifugal pump CP 100-315, bare shaft', '1476.00'],
    ],
  },
  {
    prefix: 'SC', source: 'made', tracking: 'serial', code: 'SC', barcodes: 1, qty: [1, 2], bay: 0,
    items: [
      ['7', 'Screw compressor SC-7, 7.5 kW, 10 bar', '3480.00'],
      ['11', 'Screw compressor SC-11, 11 kW, 10 bar', '4625.00'],
    ],
  },
  {
    prefix: 'BS', source: 'made', tracking: 'serial', code: 'BS', barcodes: 1, qty: [1, 2], bay: 0.5,
    items: [
      ['TWIN-2.2', 'Booster set, twin CP 50 2.2 kW, duty/standby', '2390.00'],
      ['TWIN-4.0', 'Booster set, twin 4.0 kW, duty/standby with VSD', '3815.00'],
    ],
  },
];

/** Parts whose opening stock the later demo events rely on: fixed quantities at MAIN. */
export const FIXED_MAIN: Record<string, string> = {
  'BRG-6205-2RS': '40',
  'BRG-6206-2RS': '30',
  'MTR-IE3-2.2-4P': '3',
  'PNT-RAL5010': '24.5',
  'STL-S275-3': '420.5',
  'SEAL-MS-35': '8',
  'SEAL-LIP-35-52': '25',
  'FST-HB-M10X30': '12',
  'FST-HN-M8': '10',
  'CP-65-200-5.5': '2',
};

export const SUPPLIERS: { code: string; name: string; email: string; phone: string; lead: number; currency?: string }[] = [
  { code: 'TRENT', name: 'Trent Bearing Supplies Ltd', email: 'sales@trentbearings.example', phone: '0115 496 0321', lead: 3 },
  { code: 'MIDFAST', name: 'Midland Fasteners Ltd', email: 'orders@midlandfasteners.example', phone: '0121 496 0877', lead: 2 },
  { code: 'CASTLE', name: 'Castleford Foundry Ltd', email: 'sales@castlefordfoundry.example', phone: '01977 496 102', lead: 35 },
  { code: 'NORTHGATE', name: 'Northgate Electrical Wholesale', email: 'trade@northgate-electrical.example', phone: '0113 496 0450', lead: 5 },
  { code: 'PENNINE', name: 'Pennine Paints & Coatings', email: 'orders@penninepaints.example', phone: '01422 496 733', lead: 7 },
  { code: 'SOLWAY', name: 'Solway Steel Stockholders', email: 'sales@solwaysteel.example', phone: '01228 496 590', lead: 4 },
  { code: 'HESSLER', name: 'Hessler Antriebstechnik GmbH', email: 'export@hessler-antriebe.example', phone: '+49 561 496 2270', lead: 21, currency: 'EUR' },
];
