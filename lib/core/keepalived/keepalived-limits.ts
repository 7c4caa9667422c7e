/**
 * Limits and defaults of the Keepalived renderer that only this area uses.
 * (Shared ones — VRID range, advert_int, priority, password length — live in ../limits.ts.)
 */

/** Linux keeps interface names in IFNAMSIZ (16) bytes including the terminating NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/** Linux keeps a process name (`comm`, what pgrep matches) in 16 bytes including the NUL. */
export const MAX_PROCESS_NAME_LENGTH = 15;

/** Longest accepted user name (Debian's useradd limit). */
export const MAX_SCRIPT_USER_LENGTH = 32;

/** The tcp-port check connects here unless told otherwise. */
export const DEFAULT_TCP_CHECK_HOST = "127.0.0.1";

/** logrotate: rotate the notify log once it passes this size, keep this many old copies. */
export const NOTIFY_LOG_ROTATE_SIZE = "1M";
export const NOTIFY_LOG_ROTATE_COUNT = 5;

/** Tencent's guide sends one gratuitous ARP per VIP on becoming MASTER when there are several VIPs. */
export const MULTI_VIP_GARP_MASTER_REPEAT = 1;

/** Characters `generateAuthPass` draws from: letters and digits are safe everywhere. */
export const AUTH_PASS_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
