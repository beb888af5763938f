"""Management pages: products, policies, sales, users, calendar, security, service desk,
thresholds, mass events and fraud holds."""
