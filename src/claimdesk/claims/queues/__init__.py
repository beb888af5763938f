"""Work queues (issue 12): one queue for every pending action on a claim, for the role
that acts — callbacks due, claims ready to close, notices to send, materials to review,
advances due — beside each role's queue by stage; paged, ordered by deadline, row-filtered
like every claim read (CLM-F2, SEC-4). Also the claim search (names through a keyed
index, SEC-1) and the supervisor's bulk assignment."""
