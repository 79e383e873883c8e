import type { ConversationStatus } from '@kirim/contracts';

export type { ConversationStatus };

/** A WhatsApp chat partner of one account (spec 05 § Contacts). */
export interface Contact {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  waId: string;
  profileName: string | null;
  name: string | null;
  email: string | null;
  metadata: Record<string, unknown> | null;
  lastInboundAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One conversation per (account, contact) (spec 05 § Conversations). */
export interface Conversation {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  unreadCount: number;
  lastMessageAt: Date | null;
  lastInboundAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
