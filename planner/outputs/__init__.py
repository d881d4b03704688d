"""What a plan gives people: tables (CSV) made safe to open in a spreadsheet."""
