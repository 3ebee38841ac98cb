"""The bare page the load benchmark compares TuneLab with: one line of Streamlit."""

import streamlit as st

st.write("hello")
