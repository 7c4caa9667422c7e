export { DRILL_NAMES, type DrillLab, type DrillName, drillNamesFor, SERVICE_DRILL_NAMES } from "./drill-names";
export { type DrillResult, drillPassed, type LabDrillResult } from "./drill-result";
export { formatDrillReport, formatDrillTable } from "./drill-report";
export { runDrills } from "./run-drills";
export { labUnsteadiness } from "./steadiness";
