/** Runs once before all test files. Model preparation for integration tests is added here. */
export default function setup(): void {}
