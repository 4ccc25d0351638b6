"""The business case built on studies: strategies side by side, growth years, plan comparison,
and the plan workbook's tables."""
