"""Customer service desk: contacts, complaints, satisfaction, customer care (SVC-1..SVC-6)."""
