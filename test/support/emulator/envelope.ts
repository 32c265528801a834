/** The provider's error envelope: no code, no type, only the message (shared/api/ryzeapi-contract.md). */
export function envelope(message: string) {
	return { success: false as const, error: { message } };
}
