"""The dashboard's parts: the only package that imports Streamlit (and Plotly). `app.py` composes them."""
