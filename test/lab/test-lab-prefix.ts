/**
 * The lab prefix a test file uses. HAVIP_TEST_LAB_TAG (a few lowercase letters) is put in front, so
 * several checkouts on one machine can run their lab tests at the same time without sharing namespaces.
 */
export function testLabPrefix(base: string): string {
  const tag = process.env.HAVIP_TEST_LAB_TAG;
  return tag ? `${tag}-${base}` : base;
}
