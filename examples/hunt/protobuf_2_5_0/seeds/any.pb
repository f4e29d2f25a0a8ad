
abchi