"""Lesson 6: MSE and R² on a hand-fitted line; MAE and RMSE in the target's units; held-out R²."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from engine.metrics.classification import regression_scores
from engine.metrics.demos import least_squares_line, noisy_line_points
from engine.metrics.regression import MAX_DEGREE, error_sizes, fit_polynomial
from lessons.components.charts import BLUE, GREEN, GREY, ORANGE

HELD_OUT_POINTS, HELD_OUT_SEED = 100, 1

st.title("Regression metrics")
st.markdown(
    "When the model outputs a number (a price, a temperature, a score) there is no "
    "*right* or *wrong*, only *how far off*. Two numbers summarise that:\n\n"
    "- **MSE**, the mean squared error: the average of (truth − prediction)². Squaring "
    "makes one big miss cost more than several small ones *of the same total size* (one "
    "miss of 2 costs 4; two misses of 1 cost 2), and the unit is the target's "
    "unit squared.\n"
    "- **R²**, the coefficient of determination: 1 − MSE(model) / MSE(always predicting "
    "the mean). 1 is perfect, 0 is no better than the mean, and **below 0 is worse than "
    "the mean**: nothing stops it from going negative."
)

x, y = st.cache_data(noisy_line_points)()
best_slope, best_intercept = least_squares_line(x, y)


def snap_to_best_fit() -> None:
    # Widget values can only be changed before the widget is drawn: do it in a callback.
    st.session_state.reg_slope = round(best_slope, 1)
    st.session_state.reg_intercept = round(best_intercept, 1)


st.subheader("Fit a line by hand")
# Defaults live in session state (not in the sliders) because the button also sets them.
st.session_state.setdefault("reg_slope", 0.0)
st.session_state.setdefault("reg_intercept", 0.0)
left, right = st.columns(2)
slope = left.slider("Slope", -4.0, 6.0, step=0.1, key="reg_slope")
intercept = right.slider("Intercept", -5.0, 10.0, step=0.1, key="reg_intercept")
st.button(
    "Snap to the least-squares fit (nearest slider step)", key="reg_best", on_click=snap_to_best_fit
)

predicted = slope * x + intercept
scores = regression_scores(y, predicted)
best = regression_scores(y, best_slope * x + best_intercept)
mse_col, r2_col = st.columns(2)
mse_col.metric(
    "MSE", f"{scores.mse:.3f}", f"{scores.mse - best.mse:+.3f} vs best fit", delta_color="inverse"
)
r2_col.metric("R²", f"{scores.r2:.3f}", f"{scores.r2 - best.r2:+.3f} vs best fit")
if scores.r2 < 0:
    st.warning(
        f"R² is {scores.r2:.3f}: this line is worse than ignoring x and always predicting "
        f"the mean, {y.mean():.2f} (the dashed line), which scores R² = 0."
    )
st.caption(
    f"The least-squares line is y = {best_slope:.2f}·x + {best_intercept:.2f}, with MSE "
    f"{best.mse:.3f} and R² {best.r2:.3f}: no line through these points does better."
)

points = pd.DataFrame(
    {"x": x, "y (truth)": y, "your prediction": predicted, "error": y - predicted}
)
scatter = (
    alt.Chart(points)
    .mark_circle(size=70, color=BLUE)
    .encode(
        x="x:Q", y=alt.Y("y (truth):Q", title="y"), tooltip=["x", "y (truth)", "your prediction"]
    )
)
residuals = (
    alt.Chart(points).mark_rule(color=GREY).encode(x="x:Q", y="y (truth):Q", y2="your prediction:Q")
)
fit = (
    alt.Chart(points).mark_line(color=ORANGE, strokeWidth=3).encode(x="x:Q", y="your prediction:Q")
)
mean_line = (
    alt.Chart(pd.DataFrame({"mean": [y.mean()]}))
    .mark_rule(color=GREEN, strokeDash=[6, 4])
    .encode(y="mean:Q")
)
st.altair_chart((residuals + scatter + fit + mean_line).properties(height=340), width="stretch")
st.caption(
    "Blue dots: data. Orange line: your fit; grey bars: the errors MSE squares and "
    "averages. Green dashes: the mean of y, the baseline R² compares against."
)
with st.expander("Show as table"):
    st.dataframe(points.round(3), hide_index=True)

st.subheader("In the target's units, and on data the fit never saw")
st.markdown(
    "Say x is a delivery distance in km and y the delivery time in **minutes**. MSE is in "
    "minutes², which nobody can picture. Two errors speak minutes:\n\n"
    "- **MAE**, the mean absolute error: the typical miss, every minute counted once.\n"
    "- **RMSE**, the square root of MSE: back in minutes, but still weighting big misses "
    "more, so RMSE ≥ MAE, and a large gap between them means a few large misses.\n\n"
    f"And any score on the points a model was fitted to flatters it. Here {HELD_OUT_POINTS} "
    "new deliveries from the same process, which no fit below ever sees, keep it honest."
)
yours = error_sizes(y, predicted)
mae_col, rmse_col = st.columns(2)
mae_col.metric("MAE of your line (minutes)", f"{yours.mae:.2f}")
rmse_col.metric("RMSE of your line (minutes)", f"{yours.rmse:.2f}")

held_out = st.cache_data(noisy_line_points)(HELD_OUT_POINTS, HELD_OUT_SEED)
degree = st.slider("Polynomial degree of the least-squares fit", 1, MAX_DEGREE, 1, key="reg_degree")
fitted = fit_polynomial(degree, (x, y), held_out)
table = pd.DataFrame(
    {
        "scored on": [f"the {len(x)} fitted points", f"{HELD_OUT_POINTS} held-out points"],
        "MAE (minutes)": [fitted.train.mae, fitted.held_out.mae],
        "RMSE (minutes)": [fitted.train.rmse, fitted.held_out.rmse],
        "R²": [fitted.train.r2, fitted.held_out.r2],
    }
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        name: st.column_config.NumberColumn(format="%.3f")
        for name in ("MAE (minutes)", "RMSE (minutes)", "R²")
    },
)
straight = fit_polynomial(1, (x, y), held_out)
st.markdown(
    f"Degree {degree}: R² {fitted.train.r2:.3f} on the points it was fitted to, "
    f"**{fitted.held_out.r2:.3f}** on held-out points. The straight line scores "
    f"{straight.held_out.r2:.3f} held out. Every extra degree can only raise R² on the "
    "fitted points, because the bendier curve can always copy the straighter one; on new "
    "points the wiggles it bought by chasing noise cost it. Report R² on held-out data."
)
grid = np.linspace(x.min(), x.max(), 200)
curve = pd.DataFrame({"x": grid, "y": fitted.model(grid)})
new_points = pd.DataFrame({"x": held_out[0], "y": held_out[1]})
fitted_points = pd.DataFrame({"x": x, "y": y})
st.altair_chart(
    (
        alt.Chart(new_points).mark_circle(size=30, color=GREY, opacity=0.6)
        .encode(x=alt.X("x:Q", title="distance (km)"), y=alt.Y("y:Q", title="time (minutes)"))
        + alt.Chart(fitted_points).mark_circle(size=70, color=BLUE).encode(x="x:Q", y="y:Q")
        + alt.Chart(curve).mark_line(color=ORANGE, strokeWidth=3).encode(x="x:Q", y="y:Q")
    ).properties(height=300),
    width="stretch",
)  # fmt: skip
st.caption("Blue: the fitted points. Grey: held-out points. Orange: the degree-d fit.")
