// Hand-picked ICD-10 codes and treatment function codes the synthetic spells are drawn from, chosen so
// Charlson (Quan 2005) categories and Hospital Frailty Risk Score codes appear as they would in HES.
// Codes are canonical (no dot, 3 or 4 characters); the writer renders them in the senders' mixed styles.
import type { ConditionCode } from './knownProcess.ts';

/** A diagnosis to draw: code, relative weight, treatment function code. */
export interface CodeChoice {
  code: string;
  weight: number;
  specialty: string;
}

const choice = (code: string, weight: number, specialty: string): CodeChoice => ({ code, weight, specialty });

/** Primary diagnoses of an emergency admission attributed to a register (exacerbations, complications). */
export const emergencyPrimaryByCondition: Record<ConditionCode, CodeChoice[]> = {
  LD: [choice('J690', 2, '300'), choice('G409', 2, '400'), choice('K590', 1, '300')],
  AST: [choice('J459', 4, '340'), choice('J46', 2, '340'), choice('J451', 1, '340')],
  EP: [choice('G409', 4, '400'), choice('G41', 1, '400'), choice('R568', 2, '300')],
  MH: [choice('F209', 3, '710'), choice('F319', 2, '710'), choice('F29', 1, '710')],
  DEP: [choice('F329', 2, '710'), choice('T391', 2, '300'), choice('T424', 1, '300')],
  RA: [choice('M069', 2, '410'), choice('L031', 2, '300')],
  HYP: [choice('I10', 1, '300'), choice('R51', 1, '300')],
  DM: [choice('E111', 1, '307'), choice('E116', 2, '307'), choice('E162', 2, '300'), choice('E115', 1, '307'), choice('E119', 1, '300')],
  CAN: [choice('C349', 2, '370'), choice('C189', 1, '370'), choice('D709', 2, '303'), choice('R18', 1, '301'), choice('C787', 1, '370'), choice('C795', 1, '800')],
  COPD: [choice('J441', 5, '340'), choice('J440', 3, '340'), choice('J449', 1, '340')],
  CHD: [choice('I214', 3, '320'), choice('I200', 2, '320'), choice('I209', 1, '320'), choice('I219', 1, '320')],
  AF: [choice('I480', 2, '320'), choice('I481', 1, '320'), choice('I489', 2, '300')],
  STIA: [choice('I639', 4, '328'), choice('I64', 2, '328'), choice('G459', 3, '328')],
  PAD: [choice('I702', 2, '107'), choice('I739', 1, '107'), choice('I743', 1, '107')],
  CKD: [choice('N179', 4, '361'), choice('N184', 1, '361'), choice('E875', 1, '300')],
  HF: [choice('I500', 5, '320'), choice('I509', 2, '300'), choice('I110', 1, '320')],
  OST: [choice('S720', 3, '110'), choice('S422', 2, '110'), choice('S321', 1, '110')],
  DEM: [choice('F051', 4, '430'), choice('F03', 2, '430'), choice('G309', 1, '430')],
};

/** Primary diagnoses of emergency admissions driven by frailty (falls, delirium, infection, fractures). */
export const emergencyPrimaryFrailty: CodeChoice[] = [
  choice('R296', 4, '430'), choice('S720', 3, '110'), choice('S721', 2, '110'), choice('S422', 2, '110'),
  choice('S065', 1, '110'), choice('S000', 2, '430'), choice('N390', 5, '430'), choice('J189', 5, '300'),
  choice('A419', 3, '300'), choice('F050', 3, '430'), choice('E86', 2, '430'), choice('R55', 2, '300'),
  choice('R268', 2, '430'), choice('R410', 1, '430'), choice('L039', 2, '300'),
];

/** Primary diagnoses of emergency admissions of children (0-15). */
export const emergencyPrimaryChild: CodeChoice[] = [
  choice('B349', 4, '420'), choice('J069', 3, '420'), choice('R509', 3, '420'), choice('J219', 3, '420'),
  choice('A09', 3, '420'), choice('S060', 2, '420'), choice('K358', 2, '171'), choice('J459', 2, '420'),
  choice('R104', 2, '420'), choice('L039', 1, '420'),
];

/** Primary diagnoses of emergency admissions of adults not tied to a register. */
export const emergencyPrimaryAdult: CodeChoice[] = [
  choice('R074', 6, '300'), choice('R104', 6, '100'), choice('J189', 3, '300'), choice('N390', 3, '300'),
  choice('L039', 3, '300'), choice('K358', 2, '100'), choice('K802', 2, '100'), choice('S525', 1, '110'),
  choice('S626', 1, '110'), choice('S822', 1, '110'), choice('T391', 1, '300'), choice('R51', 2, '300'),
  choice('A09', 2, '300'), choice('R55', 2, '300'), choice('R11', 1, '300'), choice('N23', 2, '101'),
  choice('K922', 1, '301'), choice('I269', 1, '300'), choice('I802', 1, '300'), choice('J22', 2, '300'),
  choice('K566', 1, '100'), choice('F101', 1, '300'), choice('K259', 1, '301'), choice('K703', 0.5, '301'),
  choice('K746', 0.3, '301'), choice('I850', 0.1, '301'),
  // Decompensated liver disease (Charlson moderate/severe), so the hierarchy has cases beyond a rare I850.
  choice('K704', 0.2, '301'), choice('K729', 0.1, '301'),
];

/** Women 16-45: early pregnancy emergencies (admitted as emergencies, not maternity). */
export const emergencyPrimaryPregnancy: CodeChoice[] = [choice('O039', 2, '502'), choice('O210', 1, '501'), choice('O001', 1, '502')];

/** Chronic codes recorded as secondary diagnoses for people on each register. */
export const chronicSecondaryByCondition: Record<ConditionCode, string[]> = {
  LD: ['F79', 'F72'],
  AST: ['J459'],
  EP: ['G409'],
  MH: ['F209', 'F319'],
  DEP: ['F329', 'F339'],
  RA: ['M069', 'M059'],
  HYP: ['I10'],
  DM: ['E119'],
  CAN: [],
  COPD: ['J449'],
  CHD: ['I251', 'I252', 'Z955'],
  AF: ['I489'],
  STIA: ['I693', 'Z867', 'G819'],
  PAD: ['I739', 'I702'],
  CKD: ['N183'],
  HF: ['I500', 'I509'],
  OST: ['M819', 'M800'],
  DEM: ['F03', 'F009', 'G309', 'F019'],
};

/** Diabetes with complications (Charlson diabwc) for people whose diabetes has progressed. */
export const diabetesComplicationCodes = ['E112', 'E113', 'E114', 'E115', 'E117'];

/** Later CKD stages. */
export const advancedKidneyCodes = ['N184', 'N185'];

/** Primary cancer sites by sex: [code, weight]; men then women. */
export const cancerSites: { male: [string, number][]; female: [string, number][] } = {
  male: [['C61', 6], ['C349', 3], ['C189', 3], ['C439', 2], ['C679', 2], ['C64', 1], ['C859', 1], ['C911', 1], ['C259', 1], ['C169', 1]],
  female: [['C509', 8], ['C349', 3], ['C189', 3], ['C439', 2], ['C56', 1], ['C541', 1], ['C859', 1], ['C911', 1], ['C259', 1]],
};

/** Secondary (metastatic) sites: Charlson metacanc. */
export const metastaticCodes = ['C787', 'C795', 'C780', 'C793', 'C771'];

/** Frailty-related codes recorded as secondary diagnoses, weighted roughly by their HFRS weight. */
export const frailtySecondary: [string, number][] = [
  ['R296', 3.6], ['W19', 3.2], ['N390', 3.2], ['F059', 3.2], ['S009', 3.2], ['R268', 2.6], ['R410', 2.7],
  ['E871', 2.3], ['E86', 2.3], ['R54', 2.2], ['Z741', 1.1], ['Z751', 2.0], ['L899', 1.7], ['R32', 1.2],
  ['R33', 1.3], ['S065', 2.4], ['S422', 2.3], ['S720', 1.4], ['Z602', 1.8], ['Z918', 0.5], ['B962', 2.9],
  ['R400', 2.5], ['R55', 1.8], ['I951', 1.6], ['N179', 1.8], ['Z509', 2.1], ['W18', 2.1], ['L031', 2.0],
  ['E559', 1.0], ['H547', 1.9], ['K590', 1.8], ['M255', 2.3], ['R634', 0.9], ['D649', 0.4],
];

/** Common secondary codes anyone may carry. */
export const generalSecondary: [string, number][] = [
  ['E785', 4], ['K219', 3], ['Z880', 2], ['F171', 3], ['E039', 2], ['Z921', 1], ['Z864', 1], ['E669', 2], ['M199', 2], ['D509', 1],
  ['K760', 1], ['K269', 0.5], ['B24', 0.1],
];

/** Elective primary diagnoses: code, weight, specialty, minimum age, maximum age, sex restriction (1 male, 2 female, 0 any). */
export const electivePrimary: { code: string; weight: number; specialty: string; minAge: number; maxAge: number; sex: 0 | 1 | 2 }[] = [
  { code: 'H259', weight: 6, specialty: '130', minAge: 55, maxAge: 110, sex: 0 },
  { code: 'M171', weight: 3, specialty: '110', minAge: 50, maxAge: 95, sex: 0 },
  { code: 'M161', weight: 2, specialty: '110', minAge: 50, maxAge: 95, sex: 0 },
  { code: 'K409', weight: 3, specialty: '100', minAge: 18, maxAge: 95, sex: 1 },
  { code: 'K802', weight: 3, specialty: '100', minAge: 25, maxAge: 90, sex: 0 },
  { code: 'K573', weight: 3, specialty: '301', minAge: 40, maxAge: 95, sex: 0 },
  { code: 'K219', weight: 3, specialty: '301', minAge: 30, maxAge: 95, sex: 0 },
  { code: 'Z121', weight: 3, specialty: '301', minAge: 55, maxAge: 75, sex: 0 },
  { code: 'N329', weight: 2, specialty: '101', minAge: 40, maxAge: 95, sex: 0 },
  { code: 'N40', weight: 2, specialty: '101', minAge: 55, maxAge: 95, sex: 1 },
  { code: 'J350', weight: 2, specialty: '120', minAge: 3, maxAge: 15, sex: 0 },
  { code: 'H652', weight: 1, specialty: '120', minAge: 2, maxAge: 10, sex: 0 },
  { code: 'N920', weight: 2, specialty: '502', minAge: 30, maxAge: 55, sex: 2 },
  { code: 'G560', weight: 2, specialty: '110', minAge: 30, maxAge: 90, sex: 0 },
  { code: 'D229', weight: 2, specialty: '330', minAge: 10, maxAge: 90, sex: 0 },
  { code: 'L821', weight: 1, specialty: '330', minAge: 40, maxAge: 95, sex: 0 },
  { code: 'K029', weight: 1, specialty: '140', minAge: 3, maxAge: 90, sex: 0 },
  { code: 'M751', weight: 1, specialty: '110', minAge: 40, maxAge: 85, sex: 0 },
  { code: 'I839', weight: 1, specialty: '107', minAge: 30, maxAge: 80, sex: 0 },
  { code: 'K047', weight: 1, specialty: '140', minAge: 5, maxAge: 90, sex: 0 },
];

/** Elective procedures for people on a register: [code, specialty]. */
export const electiveByCondition: Partial<Record<ConditionCode, [string, string][]>> = {
  AF: [['I480', '320']],
  CHD: [['I251', '320'], ['I209', '320']],
  HF: [['I500', '320']],
  CKD: [['Z491', '361'], ['N185', '361']],
  DM: [['E113', '130'], ['E115', '107']],
  PAD: [['I702', '107']],
};

/** Maternity admissions: delivery codes (method 31) and postnatal codes (method 32). */
export const deliveryCodes: [string, number][] = [['O800', 6], ['O821', 2], ['O820', 1], ['O810', 1]];
export const antenatalCodes: [string, number][] = [['O471', 3], ['O420', 1], ['O13', 1], ['O200', 1]];
export const postnatalCodes: [string, number][] = [['O860', 2], ['O901', 1], ['O720', 1]];

/** Treatment function codes for outpatient clinics of each register (general clinics otherwise). */
export const outpatientSpecialtyByCondition: Record<ConditionCode, string[]> = {
  LD: ['300', '400'], AST: ['340'], EP: ['400'], MH: ['710', '715'], DEP: ['710'], RA: ['410'],
  HYP: ['300', '320'], DM: ['307', '130', '658'], CAN: ['370', '800', '503', '101'], COPD: ['340'],
  CHD: ['320'], AF: ['320'], STIA: ['328', '400'], PAD: ['107'], CKD: ['361'], HF: ['320'],
  OST: ['410', '110'], DEM: ['430', '715'],
};

export const outpatientGeneralSpecialties: [string, number][] = [
  ['110', 8], ['130', 6], ['120', 4], ['330', 4], ['301', 4], ['100', 3], ['101', 3], ['502', 3], ['320', 3],
  ['300', 3], ['420', 3], ['650', 3], ['303', 1], ['410', 1], ['340', 1], ['400', 2], ['140', 2], ['191', 1],
];
