"""What customers did next: recorded outcomes, models learnt from them, emotional segments, the outreach guard."""
