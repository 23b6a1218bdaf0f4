"""Renshi (人事): HR, payroll and social insurance for companies in China."""

__version__ = "0.1.0"
