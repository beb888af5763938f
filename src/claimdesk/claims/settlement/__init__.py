"""Claims settlement: assessment, adjustment, review, closing, payment-side claim logic, notices, reserves, recoveries."""
