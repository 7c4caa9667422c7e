import type { MachineSize } from "../../host/cloud-host";
import { ApiError } from "../../server/api-error";

/**
 * Instance types as Tencent names them: `<family><generation>.<size><memory GiB>`, e.g.
 * `S5.MEDIUM4` (2 vCPU, 4 GiB). SMALL is 1 vCPU, MEDIUM 2, LARGE 4, nXLARGE 4n.
 * Any such name of the standard (S, SA), memory (M, MA) and compute (C, CA) families is sold here.
 */
const INSTANCE_TYPE = /^(S|SA|M|MA|C|CA)([1-9])\.(SMALL|MEDIUM|LARGE|([1-9]\d?)XLARGE)([1-9]\d{0,3})$/;
const LOOKS_LIKE_A_TYPE = /^[A-Z]+[0-9a-z]*\.[A-Z0-9]+$/;

export function instanceSize(instanceType: string, parameter = "InstanceType"): MachineSize {
  const match = INSTANCE_TYPE.exec(instanceType);
  if (!match) {
    if (!LOOKS_LIKE_A_TYPE.test(instanceType)) {
      throw new ApiError(
        "InvalidInstanceType.Malformed",
        `The value ${JSON.stringify(instanceType)} of \`${parameter}\` is not an instance type such as S5.MEDIUM4.`,
      );
    }
    throw new ApiError(
      "InvalidParameterValue.InstanceTypeNotFound",
      `The instance type ${instanceType} (\`${parameter}\`) is not sold by this local cloud (families S, SA, M, MA, C, CA; sizes SMALL, MEDIUM, LARGE, nXLARGE).`,
    );
  }
  const [, , , size, multiple, memory] = match;
  const cpu = size === "SMALL" ? 1 : size === "MEDIUM" ? 2 : size === "LARGE" ? 4 : 4 * Number(multiple);
  return { instanceType, cpu, memoryGiB: Number(memory) };
}
