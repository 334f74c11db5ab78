#!/usr/bin/env python3
"""Generates the synthetic SSEPOT report tables (MUESTRA SINTÉTICA) of this folder.

The rows are invented; they are built so that ssepot's declared rules give the figures published in the
2020–2023 management report (see README.md). Run from this folder: python3 generar_muestra.py
"""
import csv
import random

rng = random.Random(2023)


def write(name, header, rows):
    with open(name, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def es(v, d=2):
    """A number written with a decimal comma."""
    return f"{v:.{d}f}".replace(".", ",")


# ---- Technical sheets of the sample battery --------------------------------------------------------
sheets = [
    ("EP-01", "Metros cuadrados de espacio público efectivo (parques, plazas, plazoletas y zonas verdes) por habitante del territorio.", "EPE / población × 1", "EPE: espacio público efectivo (m²); población: habitantes proyectados", "creciente", "comuna", "anual", "Secretaría de Infraestructura Física; DAP (proyecciones de población)", "6,00"),
    ("EP-02", "Área de espacio público nuevo generado desde la adopción del POT.", "Σ m² de espacio público nuevo", "m² entregados por proyectos y obligaciones urbanísticas", "creciente", "ciudad", "anual", "Empresa de Desarrollo Urbano", "300000"),
    ("EE-01", "Hectáreas de suelo protegido que hacen parte de la Estructura Ecológica Principal.", "Σ ha protegidas", "ha de suelo con declaratoria de protección", "creciente", "ciudad", "anual", "Secretaría de Medio Ambiente", "20500"),
    ("EQ-01", "Equipamientos básicos sociales por cada 10.000 habitantes del territorio.", "equipamientos / población × 10.000", "equipamientos básicos sociales; población proyectada", "creciente", "comuna", "anual", "DAP", "5,49"),
    ("MO-01", "Kilómetros de ciclorrutas construidas desde la adopción del POT.", "Σ km construidos", "km de ciclorruta entregados", "creciente", "ciudad", "anual", "Secretaría de Movilidad", "100,00"),
    ("MO-02", "Porcentaje de viajes diarios hechos en transporte público o modos no motorizados.", "viajes TP y no motorizados / viajes totales × 100", "viajes por modo (encuesta origen-destino)", "creciente", "ciudad", "anual", "Secretaría de Movilidad; Área Metropolitana", "72,00"),
    ("SP-01", "Porcentaje de viviendas con servicio de acueducto.", "viviendas con acueducto / viviendas × 100", "viviendas conectadas; viviendas totales", "creciente", "comuna", "anual", "Secretaría de Gestión y Control Territorial; EPM", "95,00"),
    ("PA-01", "Bienes de interés cultural con intervención de conservación desde la adopción del POT.", "Σ bienes intervenidos", "bienes de interés cultural intervenidos", "creciente", "ciudad", "anual", "Secretaría de Cultura Ciudadana", "40"),
    ("VH-01", "Porcentaje de hogares en déficit cuantitativo de vivienda.", "hogares en déficit cuantitativo / hogares × 100", "hogares en déficit; hogares (Encuesta de Calidad de Vida)", "decreciente", "comuna", "anual", "Instituto Social de Vivienda y Hábitat", "3,50"),
    ("GR-01", "Viviendas localizadas en zonas de alto riesgo no mitigable.", "Σ viviendas en zonas de alto riesgo no mitigable", "viviendas identificadas en zonas de alto riesgo no mitigable", "decreciente", "comuna", "anual", "Departamento Administrativo de Gestión del Riesgo de Desastres", "250"),
    ("IG-01", "Recaudo acumulado por instrumentos de financiación del POT.", "Σ recaudo (millones de pesos)", "recaudo por obligaciones urbanísticas, plusvalía y otros", "creciente", "ciudad", "anual", "Secretaría de Hacienda", "120000"),
    ("IG-02", "Planes parciales adoptados desde la adopción del POT.", "Σ planes parciales adoptados", "decretos de adopción", "creciente", "ciudad", "anual", "DAP", "18"),
]
write(
    "fichas_tecnicas_muestra.csv",
    ["Código indicador", "Definición", "Fórmula", "Variables", "Sentido", "Nivel territorial", "Periodicidad", "Fuentes", "Meta 2023"],
    sheets,
)

# ---- Diagnosis and concertation; change-control log (DIES-058) -------------------------------------
phases = ["Fase 1 — DAP (2021)", "Fase 2 — otras dependencias (2021)", "Fase 3 — 2022", "Casos especiales — 2023"]
diag = [
    ("EP-01", "no", "no", "no", "no", "no", "sí", phases[0], "Se ajustó la fórmula para usar la población proyectada del DAP."),
    ("EP-02", "no", "no", "no", "sí", "no", "no", phases[1], "Solo se reporta el total de ciudad."),
    ("EE-01", "no", "sí", "no", "sí", "no", "no", phases[1], "Faltan reportes de avance de 2020 y 2022."),
    ("EQ-01", "no", "no", "no", "no", "no", "no", phases[0], "Sin observaciones."),
    ("MO-01", "no", "no", "no", "sí", "sí", "no", phases[1], "No hay capa geográfica de las ciclorrutas entregadas."),
    ("MO-02", "no", "sí", "no", "sí", "no", "no", phases[2], "La encuesta origen-destino no es anual."),
    ("SP-01", "no", "sí", "no", "no", "no", "no", phases[1], "Varias comunas sin reporte validado."),
    ("PA-01", "no", "sí", "no", "sí", "no", "no", phases[2], "Se cambió la unidad de medida."),
    ("VH-01", "no", "sí", "no", "no", "no", "sí", phases[2], "Se cambió el nombre y las variables."),
    ("GR-01", "sí", "sí", "no", "no", "no", "no", phases[3], "La línea base se reconstruyó en 2023."),
    ("IG-01", "no", "sí", "sí", "sí", "sí", "no", phases[3], "No tenía meta; se concertó en 2023."),
    ("IG-02", "no", "no", "no", "sí", "no", "no", phases[0], "Sin observaciones."),
]
write(
    "diagnostico_indicadores_muestra.csv",
    ["Código indicador", "Sin datos de línea base", "Sin datos de avance", "Sin meta", "Solo resultado de ciudad", "Sin información geográfica", "Problemas de formulación", "Fase de concertación", "Diagnóstico"],
    diag,
)
changes = [
    ("EP-01", "DIES-058", "Fórmula", "EPE / población censal", "EPE / población proyectada (DAP)", "2021-06-15", "DAP"),
    ("PA-01", "DIES-058", "Unidad de medida", "m² intervenidos", "número", "2022-03-09", "Secretaría de Cultura Ciudadana"),
    ("VH-01", "DIES-058", "Nombre", "Déficit de vivienda", "Déficit cuantitativo de vivienda", "2022-08-16", "Instituto Social de Vivienda y Hábitat"),
    ("VH-01", "DIES-058", "Variables", "hogares en déficit (censo)", "hogares en déficit (Encuesta de Calidad de Vida)", "2022-08-16", "Instituto Social de Vivienda y Hábitat"),
    ("MO-02", "DIES-058", "Periodicidad", "anual", "quinquenal con estimación anual", "2022-10-04", "Secretaría de Movilidad"),
    ("GR-01", "DIES-058", "Línea base", "ND", "437", "2023-02-21", "Departamento Administrativo de Gestión del Riesgo de Desastres"),
    ("IG-01", "DIES-058", "Meta", "sin meta", "180000 (2027)", "2023-05-30", "Secretaría de Hacienda"),
]
write(
    "control_cambios_dies058_muestra.csv",
    ["Código indicador", "Formulario", "Campo", "Antes", "Después", "Fecha", "Dependencia"],
    changes,
)

# ---- Subsystems ------------------------------------------------------------------------------------
FE, IG = "Físico-Espaciales", "Institucionales y de Gestión"
subs = [
    (FE, "Estructura Ecológica"), (FE, "Gestión del Riesgo"), (FE, "Espacio Público de Esparcimiento y Encuentro"),
    (FE, "Equipamientos"), (FE, "Patrimonio Cultural Inmueble"), (FE, "Servicios Públicos"), (FE, "Movilidad"),
    (FE, "Centralidades y Red de Corredores"), (FE, "Habitacional"), (FE, "Clasificación del Suelo"),
    (FE, "Usos del Suelo"), (FE, "Tratamientos y Aprovechamientos"),
    (IG, "Planificación Complementaria"), (IG, "Intervención del Suelo"), (IG, "Financiación"),
    (IG, "Gestión de la Información"), (IG, "Seguimiento y Evaluación"), (IG, "Participación"),
    (IG, "Control Urbanístico"), (IG, "Articulación Regional"),
]
write(
    "subsistemas_muestra.csv",
    ["Sistema", "Subsistema", "Situación", "Logros", "Retos"],
    [(s, n, f"Situación sintética del subsistema {n}.", f"Logros sintéticos de {n} en 2020–2023.", f"Retos sintéticos de {n} para 2024–2027.") for s, n in subs],
)

# ---- Commitments: 100, 23 short-term (14 fulfilled, 6 in progress, 1 without progress, 2 not reported) --
years = list(range(2017, 2024))
kinds = ["Normativo", "Programa", "Proyecto", "Instrumento de gestión", "Estudio"]
offices = ["DAP", "Secretaría de Movilidad", "Secretaría de Infraestructura Física", "Secretaría de Medio Ambiente", "ISVIMED", "Secretaría de Hacienda", "EDU"]
plan = (
    [("Corto plazo", "Cumplido")] * 14 + [("Corto plazo", "En proceso")] * 6 + [("Corto plazo", "No presenta avances")] * 1
    + [("Corto plazo", "Sin reporte")] * 2
    + [("Mediano plazo", "Cumplido")] * 28 + [("Mediano plazo", "En proceso")] * 9 + [("Mediano plazo", "No presenta avances")] * 1 + [("Mediano plazo", "Sin reporte")] * 2
    + [("Largo plazo", "Cumplido")] * 24 + [("Largo plazo", "En proceso")] * 8 + [("Largo plazo", "No presenta avances")] * 1 + [("Largo plazo", "Sin reporte")] * 4
)
assert len(plan) == 100
# 23 in-progress commitments whose 2023 progress adds up to 1507,04 (so the mean over the 92 that report is 88,12).
inprog = [round(rng.uniform(40, 90), 2) for _ in range(22)]
inprog.append(round(1507.04 - sum(inprog), 2))
assert 0 < inprog[-1] < 100, inprog[-1]
rows = []
k = 0
for i, (h, state) in enumerate(plan, start=1):
    if state == "Cumplido":
        end = 100.0
    elif state == "En proceso":
        end = inprog[k]
        k += 1
    else:
        end = 0.0
    start_year = rng.randint(2017, 2020)
    series = []
    for y in years:
        if y < start_year:
            series.append(0.0)
        else:
            frac = (y - start_year + 1) / (2023 - start_year + 1)
            series.append(round(end * frac, 2))
    series[-1] = end
    cells = [es(v) for v in series]
    if state == "Sin reporte":
        cells[-1] = "ND"
        cells[-2] = "ND"
    rows.append([f"C-{i:03d}", f"Compromiso sintético {i} del POT", f"Artículo {rng.randint(5, 620)}", h, kinds[i % len(kinds)], offices[i % len(offices)], state] + cells)
write(
    "compromisos_muestra.csv",
    ["Código", "Compromiso", "Artículo POT", "Horizonte", "Tipología", "Dependencia responsable", "Estado"] + [str(y) for y in years],
    rows,
)

# ---- PDD Medellín Futuro 2020–2023 ------------------------------------------------------------------
lines = [
    ("Ecociudad", FE, 12),
    ("Gobernanza y Gobernabilidad", IG, 6),
    ("Transformación Educativa y Cultural", FE, 4),
    ("Medellín Me Cuida", FE, 3),
    ("Reactivación Económica y Valle del Software", IG, 3),
]
programmes = []
n = 0
for line, system, count in lines:
    for j in range(count):
        n += 1
        programmes.append([f"P{n:02d}", f"Programa sintético {n} ({line})", line, system])
assert len(programmes) == 28
# Planned investment (millions): Ecociudad carries most; totals 5.213.246 planned and 5.187.358 projected.
weights = [9 if p[2] == "Ecociudad" else 4 if p[2] == "Gobernanza y Gobernabilidad" else 2 for p in programmes]
planned = [int(5213246 * w / sum(weights)) for w in weights]
planned[0] += 5213246 - sum(planned)
projected = [int(p * rng.uniform(0.985, 1.005)) for p in planned]
projected[0] += 5187358 - sum(projected)
write(
    "pdd_programas_muestra.csv",
    ["Código programa", "Programa", "Línea estratégica", "Sistema POT", "Inversión programada (millones)", "Inversión proyectada (millones)"],
    [p + [planned[i], projected[i]] for i, p in enumerate(programmes)],
)
write(
    "pdd_plan_muestra.csv",
    ["Plan", "Inversión plan plurianual (millones)", "Avance físico proyectado (%)"],
    [["Medellín Futuro 2020–2023", 20852984, 89]],
)
# 132 related product indicators (94 high ≥ 70 %, 17 medium 50–70 %, 21 low < 50 %) plus 8 not related to POT
# projects; weights of the related ones add 30,5 points and Σ weight × progress = 2.300 (23 points, 75,4 %).
prog = [round(rng.uniform(72, 100), 2) for _ in range(94)] + [round(rng.uniform(52, 68), 2) for _ in range(17)] + [round(rng.uniform(10, 45), 2) for _ in range(21)]
w = [0.23] * 130 + [0.30, 0.30]
target = 2300.0
diff = target - sum(a * b for a, b in zip(w, prog))
# Spread the difference over the high band (weights 0.23), keeping values within 72–100.
for i in range(94):
    step = max(min(diff / 0.23, 100 - prog[i]), 72 - prog[i])
    prog[i] = round(prog[i] + step, 2)
    diff = target - sum(a * b for a, b in zip(w, prog))
    if abs(diff) < 0.002:
        break
assert abs(diff) < 0.01, diff
inds = []
for i in range(132):
    inds.append([f"IP-{i + 1:03d}", f"Indicador de producto sintético {i + 1}", programmes[i % 28][0], es(w[i]), es(prog[i])])
for i in range(8):
    inds.append([f"IP-{133 + i:03d}", f"Indicador de producto sintético {133 + i} (sin relación con el POT)", programmes[i][0], "0,10", es(rng.uniform(20, 100))])
write(
    "pdd_indicadores_producto_muestra.csv",
    ["Código indicador", "Indicador de producto", "Código programa", "Ponderación (%)", "Avance proyectado (%)"],
    inds,
)
projects = []
for i in range(175):
    s, sub = subs[i % len(subs)]
    projects.append([f"PP-{i + 1:03d}", f"Proyecto POT sintético {i + 1}", s, sub])
write("pot_proyectos_muestra.csv", ["Código proyecto", "Proyecto POT", "Sistema", "Subsistema"], projects)
rel = set()
for i in range(169):
    rel.add((f"IP-{i % 132 + 1:03d}", f"PP-{i + 1:03d}"))
for i in range(40):
    rel.add((f"IP-{rng.randint(1, 132):03d}", f"PP-{rng.randint(1, 169):03d}"))
write("relacion_pdd_pot_muestra.csv", ["Código indicador", "Código proyecto"], sorted(rel))
print("ok")
